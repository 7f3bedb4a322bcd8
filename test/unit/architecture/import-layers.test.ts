// The folder rules of docs/architecture.md (table: eslint/layers.js) are enforced by the lint step
// of `npm test`; these cases lint fixture sources through the project's own ESLint configuration
// to prove that a breaking import is caught and an allowed one is not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const RULE = 'project/import-layers';
const eslint = new ESLint({ cwd: new URL('../../../', import.meta.url).pathname });

async function layerProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result !== undefined);
  return result.messages.filter((m) => m.ruleId === RULE || m.fatal === true).map((m) => m.message);
}

describe('import layers (eslint/layers.js)', () => {
  it('refuses an import that reaches up a layer', async () => {
    const code = "import { createServer } from '../web/server.ts';\nvoid createServer;\n";
    const problems = await layerProblems('src/saml/fixture.ts', code);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /src\/saml may not import src\/web\/server\.ts/);
  });

  it('refuses a use case importing a store implementation instead of its port', async () => {
    const problems = await layerProblems('src/credentials/fixture.ts', "export * from '../store/sqlite.ts';\n");
    assert.match(problems[0] ?? '', /src\/credentials may not import src\/store\/sqlite\.ts/);
  });

  it('refuses dynamic imports of demo code outside main.ts', async () => {
    const problems = await layerProblems('src/web/fixture.ts', "export const demo = () => import('../dev/demo.ts');\n");
    assert.match(problems[0] ?? '', /src\/web may not import src\/dev\/demo\.ts/);
  });

  it('refuses a devDependency in production code, and test code from src/', async () => {
    const dev = await layerProblems('src/web/fixture.ts', "import request from 'supertest';\nvoid request;\n");
    assert.match(dev[0] ?? '', /"supertest" is a devDependency/);
    const outside = await layerProblems('src/web/fixture.ts', "export * from '../../test/support/app-harness.ts';\n");
    assert.match(outside[0] ?? '', /stays inside src/);
  });

  it('refuses a module in a folder the table does not know', async () => {
    const problems = await layerProblems('src/newfolder/fixture.ts', "export * from '../errors.ts';\n");
    assert.match(problems[0] ?? '', /no row in eslint\/layers\.js/);
  });

  it('accepts imports the table allows', async () => {
    const code = [
      "import { AppError } from '../../errors.ts';",
      "import type { Store } from '../../store/ports.ts';",
      "import { pkceVerifierMatches } from '../../credentials/pkce.ts';",
      "import express from 'express';",
      'export type T = [AppError, Store, typeof pkceVerifierMatches, typeof express];',
      '',
    ].join('\n');
    assert.deepEqual(await layerProblems('src/web/routes/fixture.ts', code), []);
    assert.deepEqual(await layerProblems('src/main.ts', "export const demo = () => import('./dev/demo.ts');\n"), []);
  });
});
