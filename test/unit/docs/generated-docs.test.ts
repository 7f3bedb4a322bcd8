// The reference pages generated from the code (configuration from the zod schema, error codes from
// the catalogue) must match what is committed, so docs cannot drift from the code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED_DOCS } from '../../../scripts/docs/generated.ts';
import { configKeys } from '../../../scripts/docs/config-doc.ts';
import { ERROR_CATALOGUE } from '../../../src/error-catalogue.ts';

const root = new URL('../../../', import.meta.url);

describe('generated docs', () => {
  for (const page of GENERATED_DOCS) {
    it(`${page.path} is up to date with the code`, () => {
      const committed = readFileSync(new URL(page.path, root), 'utf8');
      assert.ok(committed === page.render(), `${page.path} is stale: run \`npm run docs\` and commit the result`);
    });
  }

  it('lists every configuration key with its default and environment variable', () => {
    const keys = new Map(configKeys().map((k) => [k.path, k]));
    assert.deepEqual(keys.get('server.sessionSecret')?.required, true);
    assert.equal(keys.get('server.port')?.default, 3000);
    assert.deepEqual(keys.get('server.port')?.env, ['PORT', 'REDSHIFT_SSO_PORT']);
    assert.equal(keys.get('clusters[].sslMode')?.default, 'verify-full');
    assert.match(keys.get('idps[].wantLogoutSigned')?.description ?? '', /signed/);
    assert.ok(keys.has('idps[].attributes.dbGroups'), 'nested keys of list items');
  });

  it('gives every configuration key a description', () => {
    const bare = configKeys()
      .filter((k) => k.type !== 'object' && k.description === undefined)
      .map((k) => k.path);
    assert.deepEqual(bare, [], 'add a .describe() to these keys in src/config/schema.ts');
  });

  it('documents every catalogued code, with a meaning and an action', () => {
    const page = readFileSync(new URL('docs/errors.md', root), 'utf8');
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      assert.ok(page.includes(`| \`${code}\` |`), `${code} in docs/errors.md`);
      assert.ok(entry.meaning.length > 0 && entry.action.length > 0, code);
    }
  });
});
