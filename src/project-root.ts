// Where the files that ship beside the code (views/, certs/) live, for every way the service runs:
// tsx on src/, the compiled dist/, or the image's /app. The project root is the nearest folder
// above this module holding package.json, so the answer does not depend on the output layout.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}: cannot find views/`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** The folder of the EJS views and their static assets, with a trailing separator. */
export const VIEWS_DIR = join(PROJECT_ROOT, 'views') + '/';
