// Sealed role sessions: they open only with the same secret and unaltered, and the sealed text
// shows nothing of the AWS keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import { aRoleSession } from '../../support/unit-builders.ts';

const SECRET = 'a-session-secret-of-32-characters!';
const vault = createRoleSessionVault(SECRET);
const session = aRoleSession();

/** Replaces one base64url character of part `index` (0 version, 1 iv, 2 tag, 3 body). */
function alter(sealed: string, index: number, position = 2): string {
  const parts = sealed.split('.');
  const part = parts[index] ?? '';
  const ch = part[position] === 'A' ? 'B' : 'A';
  parts[index] = part.slice(0, position) + ch + part.slice(position + 1);
  return parts.join('.');
}

function withPart(sealed: string, index: number, value: string): string {
  const parts = sealed.split('.');
  parts[index] = value;
  return parts.join('.');
}

describe('createRoleSessionVault', () => {
  it('opens what it sealed, with the expiration as a Date', () => {
    const opened = vault.open(vault.seal(session));
    assert.ok(opened !== undefined);
    assert.deepEqual(opened, session);
    assert.ok(opened.expiration instanceof Date);
    assert.equal(opened.expiration.getTime(), session.expiration.getTime());
  });

  it('opens with a second vault built from the same secret (another instance, after a restart)', () => {
    assert.deepEqual(createRoleSessionVault(SECRET).open(vault.seal(session)), session);
  });

  it('shows neither the keys nor the token in the sealed text', () => {
    const sealed = vault.seal(session);
    const encodings = (s: string) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), Buffer.from(s).toString('hex')];
    for (const value of [session.secretAccessKey, session.sessionToken, session.accessKeyId]) {
      for (const encoded of encodings(value)) assert.equal(sealed.includes(encoded), false, encoded);
    }
    assert.equal(sealed.includes(SECRET), false);
  });

  it('seals the same session differently each time (fresh IV)', () => {
    assert.notEqual(vault.seal(session), vault.seal(session));
  });

  const sealed = vault.seal(session);
  const [, , tag] = sealed.split('.');
  const tagBytes = Buffer.from(tag ?? '', 'base64url');
  const tampered: Array<{ name: string; box: string }> = [
    { name: 'an altered body', box: alter(sealed, 3) },
    { name: 'an altered body near the end', box: alter(sealed, 3, (sealed.split('.')[3]?.length ?? 10) - 3) },
    { name: 'an altered IV', box: alter(sealed, 1) },
    { name: 'an altered tag', box: alter(sealed, 2) },
    { name: 'a tag cut to 12 bytes', box: withPart(sealed, 2, tagBytes.subarray(0, 12).toString('base64url')) },
    { name: 'a tag cut to 4 bytes', box: withPart(sealed, 2, tagBytes.subarray(0, 4).toString('base64url')) },
    { name: 'an empty tag', box: withPart(sealed, 2, '') },
    { name: 'a body from another box', box: withPart(sealed, 3, vault.seal(aRoleSession({ sessionToken: 'other' })).split('.')[3] ?? '') },
    { name: 'another version', box: withPart(sealed, 0, 'v2') },
    { name: 'a missing part', box: sealed.split('.').slice(0, 3).join('.') },
    { name: 'an empty string', box: '' },
    { name: 'plain JSON', box: JSON.stringify(session) },
  ];
  for (const c of tampered) {
    it(`refuses ${c.name}`, () => {
      assert.equal(vault.open(c.box), undefined);
    });
  }

  it('refuses a box sealed with another secret', () => {
    const other = createRoleSessionVault('another-session-secret-of-32-chars!');
    assert.equal(vault.open(other.seal(session)), undefined);
    assert.equal(other.open(sealed), undefined);
  });
});
