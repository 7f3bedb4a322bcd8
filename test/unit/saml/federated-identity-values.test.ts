// toFederatedIdentity's reading of each attribute's accepted values: RoleSessionName, DbUser (and its
// fallback to RoleSessionName), DbGroups, AutoCreate and SessionDuration (clamped to AWS's limits).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { identity, names } from './support-federated-identity.ts';

describe('toFederatedIdentity', () => {
  const roleSessionNames = ['al', 'a'.repeat(64), 'alice@example.com', 'a_b+c=d,e.f@g-h'];
  for (const name of roleSessionNames) {
    it(`accepts RoleSessionName ${JSON.stringify(name)}`, () => {
      assert.equal(identity({ [names.roleSessionName]: name, [names.dbUser]: 'alice' }).roleSessionName, name);
    });
  }

  const dbUsers: Array<{ name: string; attributes: Record<string, unknown>; dbUser: string }> = [
    { name: 'DbUser when sent', attributes: { [names.dbUser]: 'bob.smith@corp' }, dbUser: 'bob.smith@corp' },
    {
      name: 'the RoleSessionName when DbUser is absent',
      attributes: { [names.roleSessionName]: 'carol' },
      dbUser: 'carol',
    },
    {
      name: 'the RoleSessionName when DbUser is blank',
      attributes: { [names.roleSessionName]: 'carol', [names.dbUser]: ' ' },
      dbUser: 'carol',
    },
    {
      name: 'a 64-character DbUser',
      attributes: { [names.dbUser]: `a${'b'.repeat(63)}` },
      dbUser: `a${'b'.repeat(63)}`,
    },
    {
      name: 'a DbUser that merely starts with public',
      attributes: { [names.dbUser]: 'publicist' },
      dbUser: 'publicist',
    },
  ];
  for (const c of dbUsers) {
    it(`uses ${c.name}`, () => {
      assert.equal(identity(c.attributes).dbUser, c.dbUser);
    });
  }

  it('lowercases multi-valued DbGroups, drops invalid ones into ignored and collapses duplicates', () => {
    const id = identity({
      [names.dbGroups]: ['Analysts', 'FINANCE', 'finance', 'bad group', 'x;drop', '', 'ok_1+.@-'],
    });
    assert.deepEqual(id.dbGroups, ['analysts', 'finance', 'ok_1+.@-']);
    assert.equal(id.ignored.length, 3, id.ignored.join('\n'));
  });

  it('has no DbGroups when the attribute is absent', () => {
    assert.deepEqual(identity().dbGroups, []);
  });

  const autoCreate: Array<{ value: unknown; expected: boolean }> = [
    { value: 'TRUE', expected: true },
    { value: 'true', expected: true },
    { value: ' True ', expected: true },
    { value: 'false', expected: false },
    { value: 'yes', expected: false },
    { value: undefined, expected: false },
  ];
  for (const c of autoCreate) {
    it(`reads AutoCreate ${JSON.stringify(c.value)} as ${c.expected}`, () => {
      assert.equal(identity({ [names.autoCreate]: c.value }).autoCreate, c.expected);
    });
  }

  const durations: Array<{ value: unknown; expected: number | undefined; ignored: number }> = [
    { value: '3600', expected: 3600, ignored: 0 },
    { value: ' 7200 ', expected: 7200, ignored: 0 },
    { value: '100', expected: 900, ignored: 0 },
    { value: '0', expected: 900, ignored: 0 },
    { value: '900', expected: 900, ignored: 0 },
    { value: '43200', expected: 43200, ignored: 0 },
    { value: '86400', expected: 43200, ignored: 0 },
    { value: 'an hour', expected: undefined, ignored: 1 },
    { value: '1.5', expected: undefined, ignored: 1 },
    { value: '-3600', expected: undefined, ignored: 1 },
    { value: undefined, expected: undefined, ignored: 0 },
  ];
  for (const c of durations) {
    it(`reads SessionDuration ${JSON.stringify(c.value)} as ${String(c.expected)}`, () => {
      const id = identity({ [names.sessionDuration]: c.value });
      assert.equal(id.sessionDurationSeconds, c.expected);
      assert.equal(id.ignored.length, c.ignored);
    });
  }
});
