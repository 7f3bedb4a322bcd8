// Return paths after sign-in: same-origin relative paths survive; anything that a browser or a
// later decoding step could turn into another origin, a header break or a script falls back to "/".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnPath } from '../../../src/web/safe-return-path.ts';

describe('safeReturnPath', () => {
  const kept = [
    '/',
    '/x?y=1',
    '/db-login/analytics?role=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR',
    '/clusters/a-b_c.d~e',
    `/${'a'.repeat(511)}`,
  ];
  for (const value of kept) {
    it(`keeps ${JSON.stringify(value.slice(0, 60))}`, () => {
      assert.equal(safeReturnPath(value), value);
    });
  }

  const refused: unknown[] = [
    '//evil.com',
    '//evil.com/path',
    '/\\evil.com',
    '/\\/evil.com',
    '\\\\evil.com',
    'https://evil.com',
    'http:/evil.com',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'evil.com',
    '',
    ' /x',
    '/%0d%0aSet-Cookie:x=1',
    '/%0d%0a',
    '/%0D%0A',
    '/%00',
    '/a\r\nLocation: https://evil.com',
    '/a\tb',
    '/a\u0000',
    '/a b',
    '/\u2028',
    '/caf\u00e9',
    '/<script>',
    `/${'a'.repeat(599)}`,
    `/${'a'.repeat(512)}`,
    undefined,
    null,
    42,
    ['/x'],
    { toString: () => '/x' },
  ];
  for (const value of refused) {
    it(`turns ${JSON.stringify(typeof value === 'string' ? value.slice(0, 60) : String(value))} into "/"`, () => {
      assert.equal(safeReturnPath(value), '/');
    });
  }
});
