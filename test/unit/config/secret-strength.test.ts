// The session secret check: random secrets of the documented kinds pass, placeholders and
// predictable values are refused, and buildConfig names the field.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { weakSecretProblem } from '../../../src/config/secret-strength.ts';
import { buildConfig } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { thrownBy } from '../../support/unit-errors.ts';

describe('weakSecretProblem', () => {
  it('accepts what the README tells operators to generate, every time', () => {
    for (let i = 0; i < 2000; i++) {
      for (const secret of [
        randomBytes(16).toString('hex'),
        randomBytes(32).toString('hex'),
        randomBytes(32).toString('base64'),
      ]) {
        assert.equal(weakSecretProblem(secret), undefined, secret);
      }
    }
  });

  const weak: Array<[string, string, RegExp]> = [
    ['the placeholder in config.example.yml', 'REPLACE-ME-with-the-output-of-openssl-rand-hex-32', /placeholder/],
    ['another placeholder', 'changeme-changeme-changeme-changeme-1234', /placeholder/],
    ['an example value', 'example-session-secret-for-the-docs-9f8e7d', /placeholder/],
    ['one character repeated', 'z'.repeat(40), /placeholder|distinct/],
    ['few distinct characters', 'abcdabcdabcdabcdabcdabcdabcdabcdabcd', /distinct/],
    ['a counting sequence', '0123456789abcdef0123456789abcdef01234567', /predictable/],
    ['a repeated phrase', 'Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3-Tr0ub4dor&3', /predictable/],
    ['a short one', 'a1b2c3', /at least 32/],
  ];
  for (const [name, secret, message] of weak)
    it(`refuses ${name}`, () => assert.match(weakSecretProblem(secret) ?? 'accepted', message));
});

describe('buildConfig with a weak server.sessionSecret', () => {
  for (const secret of ['REPLACE-ME-with-the-output-of-openssl-rand-hex-32', 'x'.repeat(40), '0123456789'.repeat(4)]) {
    it(`refuses ${secret.slice(0, 12)}… naming the field, from the file or the environment`, () => {
      for (const [file, env] of [
        [{ server: { sessionSecret: secret } }, {}],
        [{}, { REDSHIFT_SSO_SESSION_SECRET: secret }],
      ] as const) {
        const err = thrownBy(() => buildConfig(file, env));
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.problems.length, 1, err.problems.join('; '));
        assert.match(err.problems[0] ?? '', /^server\.sessionSecret: /);
        assert.ok(!err.publicMessage.includes(secret), 'the secret itself is not echoed');
      }
    });
  }
});
