// ~/.pgpass (or $PGPASSFILE) edited the way libpq reads it ("The Password File"): the line for
// the same host:port:database:user is replaced, every other byte is kept, and the file ends up
// 0600 (libpq ignores a password file that others can read).
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writePrivateFile } from './local-files.ts';

export function pgpassPath(): string {
  return process.env.PGPASSFILE ?? join(homedir(), '.pgpass');
}

/** The fields of one line, unescaped (`\:` and `\\`), or undefined for comments and blank lines. */
export function pgpassFields(line: string): string[] | undefined {
  if (line.trim() === '' || line.startsWith('#')) return undefined;
  const fields: string[] = [''];
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] ?? '';
    if (ch === '\\' && i + 1 < line.length) {
      fields[fields.length - 1] += line[i + 1] ?? '';
      i += 1;
    } else if (ch === ':' && fields.length < 5) fields.push('');
    else fields[fields.length - 1] += ch;
  }
  return fields;
}

/** The file with `line` in place of the first line for the same host, port, database and user. */
export function mergePgpass(existing: string, line: string): string {
  const key = (pgpassFields(line) ?? []).slice(0, 4).join('\u0000');
  // Split keeping each line's own ending, so CRLF lines and a missing final newline survive.
  const parts = existing.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const index = parts.findIndex(
    (part) => (pgpassFields(part.replace(/\r?\n$/, '')) ?? []).slice(0, 4).join('\u0000') === key,
  );
  if (index >= 0) {
    const part = parts[index] ?? '';
    const ending = part.endsWith('\r\n') ? '\r\n' : part.endsWith('\n') ? '\n' : '';
    parts[index] = `${line}${ending}`;
    return parts.join('');
  }
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  return `${existing}${separator}${line}\n`;
}

export async function writePgpass(line: string): Promise<string> {
  const path = pgpassPath();
  const existing = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  await writePrivateFile(path, mergePgpass(existing, line));
  return path;
}
