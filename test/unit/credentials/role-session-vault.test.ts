// Sealed role sessions: they open only with the same secret, unaltered, and in the browser session
// and for the person they were sealed for; the sealed text shows nothing of the AWS keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import { createRoleSessionVault, type SealBinding } from '../../../src/credentials/role-session-vault.ts';
import { aRoleSession } from '../../support/unit-builders.ts';

const SECRET = 'a-session-secret-of-32-characters!';
const vault = createRoleSessionVault(SECRET);
const session = aRoleSession();
const BINDING: SealBinding = { sessionId: 'sess-A', idpId: 'corp', nameId: 'alice@example.com' };

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
    const opened = vault.open(vault.seal(session, BINDING), BINDING);
    assert.ok(opened !== undefined);
    assert.deepEqual(opened, session);
    assert.ok(opened.expiration instanceof Date);
    assert.equal(opened.expiration.getTime(), session.expiration.getTime());
  });

  it('opens with a second vault built from the same secret (another instance, after a restart)', () => {
    assert.deepEqual(createRoleSessionVault(SECRET).open(vault.seal(session, BINDING), BINDING), session);
  });

  it('shows neither the keys nor the token in the sealed text', () => {
    const sealed = vault.seal(session, BINDING);
    const encodings = (s: string) => [
      s,
      Buffer.from(s).toString('base64'),
      Buffer.from(s).toString('base64url'),
      Buffer.from(s).toString('hex'),
    ];
    for (const value of [session.secretAccessKey, session.sessionToken, session.accessKeyId]) {
      for (const encoded of encodings(value)) assert.equal(sealed.includes(encoded), false, encoded);
    }
    assert.equal(sealed.includes(SECRET), false);
  });

  it('seals the same session differently each time (fresh IV)', () => {
    assert.notEqual(vault.seal(session, BINDING), vault.seal(session, BINDING));
  });

  const sealed = vault.seal(session, BINDING);
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
    {
      name: 'a body from another box',
      box: withPart(sealed, 3, vault.seal(aRoleSession({ sessionToken: 'other' }), BINDING).split('.')[3] ?? ''),
    },
    { name: 'another version', box: withPart(sealed, 0, 'v3') },
    { name: 'the same box labelled v1', box: withPart(sealed, 0, 'v1') },
    { name: 'a missing part', box: sealed.split('.').slice(0, 3).join('.') },
    { name: 'an empty string', box: '' },
    { name: 'plain JSON', box: JSON.stringify(session) },
  ];
  for (const c of tampered) {
    it(`refuses ${c.name}`, () => {
      assert.equal(vault.open(c.box, BINDING), undefined);
    });
  }

  it('refuses a box sealed with another secret', () => {
    const other = createRoleSessionVault('another-session-secret-of-32-chars!');
    assert.equal(vault.open(other.seal(session, BINDING), BINDING), undefined);
    assert.equal(other.open(sealed, BINDING), undefined);
  });

  // A box copied in the store into another session's row, or another person's, must not open there.
  const elsewhere: Array<{ name: string; binding: SealBinding }> = [
    { name: 'another browser session', binding: { ...BINDING, sessionId: 'sess-B' } },
    { name: 'another person at the same IdP', binding: { ...BINDING, nameId: 'bob@example.com' } },
    { name: 'the same NameID at another IdP', binding: { ...BINDING, idpId: 'other' } },
    { name: 'a NameID differing only in case', binding: { ...BINDING, nameId: 'Alice@example.com' } },
    {
      name: 'fields shifted across the boundaries',
      binding: { sessionId: 'sess-Acorp', idpId: '', nameId: 'alice@example.com' },
    },
    { name: 'no session ID', binding: { ...BINDING, sessionId: '' } },
  ];
  for (const c of elsewhere) {
    it(`refuses a box opened for ${c.name}`, () => {
      assert.equal(vault.open(sealed, c.binding), undefined);
    });
  }

  it('refuses to seal without a session ID', () => {
    assert.throws(() => vault.seal(session, { ...BINDING, sessionId: '' }));
  });

  it('does not open a v1 box (sealed without associated data) any more', () => {
    // What the previous release wrote: the same key, no AAD, version v1.
    const key = Buffer.from(hkdfSync('sha256', SECRET, 'redshift-sso', 'role-session-vault v1', 32));
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    const body = Buffer.concat([
      cipher.update(JSON.stringify({ ...session, expiration: session.expiration.toISOString() })),
      cipher.final(),
    ]);
    const v1 = [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
    assert.equal(vault.open(v1, BINDING), undefined);
    assert.equal(vault.open(withPart(v1, 0, 'v2'), BINDING), undefined, 'relabelled, it fails the associated data');
  });
});
