import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerTokenMatches } from '../../../src/web/routes/metrics.ts';
import { errorCodeLabel } from '../../../src/metrics.ts';

const TOKEN = 'scrape-token-0123456789abcdef';

describe('bearerTokenMatches', () => {
  const cases: Array<[header: string | undefined, matches: boolean]> = [
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [undefined, false],
    ['', false],
    ['Bearer ', false],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Bearer ${TOKEN}0`, false],
    [`Basic ${TOKEN}`, false],
    [`Bearer ${TOKEN} extra`, false],
  ];
  for (const [header, matches] of cases) {
    it(`${matches ? 'accepts' : 'refuses'} ${JSON.stringify(header)}`, () =>
      assert.equal(bearerTokenMatches(header, TOKEN), matches));
  }
});

describe('errorCodeLabel', () => {
  it('keeps stable UPPER_SNAKE codes and folds anything else into OTHER', () => {
    assert.equal(errorCodeLabel('SAML_REPLAYED'), 'SAML_REPLAYED');
    for (const odd of ['lower', 'A'.repeat(65), 'SAML REPLAYED', '', undefined, 42])
      assert.equal(errorCodeLabel(odd), 'OTHER');
  });
});
