// Assertion attributes -> FederatedIdentity: AWS role pairs, RoleSessionName, DbUser, DbGroups,
// AutoCreate and SessionDuration, by the rules AWS and the Redshift drivers apply.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributeNamesSchema } from '../../../src/config/schema-idp.ts';
import { AssertionRejected } from '../../../src/errors.ts';
import { parseRolePairs, toFederatedIdentity, type FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const GROUPS = 'https://example.com/SAML/Attributes/Groups';
const names = { ...attributeNamesSchema.parse({}), groups: GROUPS };
const basics = { idpId: 'corp', issuer: 'https://idp.test.example/metadata', nameId: 'alice@example.com' };

const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
const ROLE_2 = 'arn:aws:iam::123456789012:role/path/RedshiftAdmin';
const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP';
const OTHER_ACCOUNT_PROVIDER = 'arn:aws:iam::210987654321:saml-provider/TestIdP';

function attrs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { [names.role]: `${ROLE},${PROVIDER}`, [names.roleSessionName]: 'alice' };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

function identity(overrides: Record<string, unknown> = {}, attributeNames: typeof names = names): FederatedIdentity {
  return toFederatedIdentity(basics, attrs(overrides), attributeNames);
}

function rejection(overrides: Record<string, unknown>, attributeNames: typeof names = names): AssertionRejected {
  const err = thrownBy(() => toFederatedIdentity(basics, attrs(overrides), attributeNames));
  assert.ok(err instanceof AssertionRejected, `expected AssertionRejected, got ${String(err)}`);
  assert.equal(err.status, 401);
  return err;
}

describe('parseRolePairs', () => {
  const accepted: Array<{ name: string; values: string[]; pairs: Array<[string, string]> }> = [
    { name: 'role then provider', values: [`${ROLE},${PROVIDER}`], pairs: [[ROLE, PROVIDER]] },
    { name: 'provider then role', values: [`${PROVIDER},${ROLE}`], pairs: [[ROLE, PROVIDER]] },
    {
      name: 'spaces around the comma and the value',
      values: [`  ${ROLE} ,  ${PROVIDER}  `],
      pairs: [[ROLE, PROVIDER]],
    },
    { name: 'a role with a path', values: [`${ROLE_2},${PROVIDER}`], pairs: [[ROLE_2, PROVIDER]] },
    {
      name: 'duplicates in either order collapsed',
      values: [`${ROLE},${PROVIDER}`, `${PROVIDER},${ROLE}`, ` ${ROLE}, ${PROVIDER}`],
      pairs: [[ROLE, PROVIDER]],
    },
    {
      name: 'two roles kept in order',
      values: [`${ROLE_2},${PROVIDER}`, `${ROLE},${PROVIDER}`],
      pairs: [
        [ROLE_2, PROVIDER],
        [ROLE, PROVIDER],
      ],
    },
    {
      name: 'another partition when both agree',
      values: ['arn:aws-cn:iam::123456789012:role/R,arn:aws-cn:iam::123456789012:saml-provider/P'],
      pairs: [['arn:aws-cn:iam::123456789012:role/R', 'arn:aws-cn:iam::123456789012:saml-provider/P']],
    },
  ];
  for (const c of accepted) {
    it(`accepts ${c.name}`, () => {
      const ignored: string[] = [];
      const pairs = parseRolePairs(c.values, ignored);
      assert.deepEqual(
        pairs.map((p) => [p.roleArn, p.principalArn]),
        c.pairs,
      );
      assert.deepEqual(ignored, []);
    });
  }

  const skipped: Array<{ name: string; value: string }> = [
    { name: 'a role without a provider', value: ROLE },
    { name: 'two roles', value: `${ROLE},${ROLE_2}` },
    { name: 'three parts', value: `${ROLE},${PROVIDER},${ROLE_2}` },
    { name: 'a short account id', value: `arn:aws:iam::12345:role/R,${PROVIDER}` },
    { name: 'a user instead of a role', value: `arn:aws:iam::123456789012:user/bob,${PROVIDER}` },
    { name: 'an OIDC provider', value: `${ROLE},arn:aws:iam::123456789012:oidc-provider/example.com` },
    { name: 'an empty value', value: '' },
    { name: 'free text', value: 'Analysts' },
    { name: 'role and provider in different accounts', value: `${ROLE},${OTHER_ACCOUNT_PROVIDER}` },
    {
      name: 'role and provider in different partitions',
      value: `${ROLE},arn:aws-cn:iam::123456789012:saml-provider/TestIdP`,
    },
  ];
  for (const c of skipped) {
    it(`skips ${c.name} and says why in ignored`, () => {
      const ignored: string[] = [];
      assert.deepEqual(parseRolePairs([c.value, `${ROLE_2},${PROVIDER}`], ignored), [
        { roleArn: ROLE_2, principalArn: PROVIDER },
      ]);
      assert.equal(ignored.length, 1, ignored.join('\n'));
    });
  }
});

describe('toFederatedIdentity', () => {
  it('builds the identity from the default AWS attribute names', () => {
    const id = identity({
      [names.dbGroups]: ['Analysts'],
      [names.autoCreate]: 'true',
      [names.sessionDuration]: '1800',
      [GROUPS]: ['sso-admins'],
    });
    assert.deepEqual(id, {
      ...basics,
      roles: [{ roleArn: ROLE, principalArn: PROVIDER }],
      roleSessionName: 'alice',
      sessionDurationSeconds: 1800,
      dbUser: 'alice',
      dbGroups: ['analysts'],
      autoCreate: true,
      groups: ['sso-admins'],
      ignored: [],
    });
  });

  it('treats a single value and a one-element array the same', () => {
    const single = identity({
      [names.role]: `${ROLE},${PROVIDER}`,
      [names.roleSessionName]: 'alice',
      [names.dbGroups]: 'Analysts',
      [GROUPS]: 'admins',
    });
    const array = identity({
      [names.role]: [`${ROLE},${PROVIDER}`],
      [names.roleSessionName]: ['alice'],
      [names.dbGroups]: ['Analysts'],
      [GROUPS]: ['admins'],
    });
    assert.deepEqual(single, array);
  });

  it('puts malformed and cross-account role values in ignored and keeps the usable ones', () => {
    const id = identity({ [names.role]: ['garbage', `${ROLE},${OTHER_ACCOUNT_PROVIDER}`, `${ROLE_2},${PROVIDER}`] });
    assert.deepEqual(id.roles, [{ roleArn: ROLE_2, principalArn: PROVIDER }]);
    assert.equal(id.ignored.length, 2);
  });

  interface RefusedCase {
    name: string;
    attributes: Record<string, unknown>;
    code: string;
    names?: string[];
  }
  /** One case per [what is wrong, value]: that value of `attribute` is refused as SAML_ATTRIBUTE_INVALID. */
  const invalidValues = (attribute: string, values: Array<[string, string]>): RefusedCase[] =>
    values.map(([name, value]) => ({ name, attributes: { [attribute]: value }, code: 'SAML_ATTRIBUTE_INVALID' }));
  const refused: RefusedCase[] = [
    {
      name: 'no Role attribute',
      attributes: { [names.role]: undefined },
      code: 'SAML_ATTRIBUTE_MISSING',
      names: [names.role],
    },
    {
      name: 'an empty Role attribute',
      attributes: { [names.role]: [] },
      code: 'SAML_ATTRIBUTE_MISSING',
      names: [names.role],
    },
    {
      name: 'no usable role value',
      attributes: { [names.role]: ['garbage', `${ROLE},${OTHER_ACCOUNT_PROVIDER}`] },
      code: 'SAML_NO_USABLE_ROLE',
      names: [names.role],
    },
    {
      name: '101 role values',
      attributes: {
        [names.role]: Array.from({ length: 101 }, (_, i) => `arn:aws:iam::123456789012:role/R${i},${PROVIDER}`),
      },
      code: 'SAML_ATTRIBUTE_INVALID',
    },
    {
      name: 'no RoleSessionName attribute',
      attributes: { [names.roleSessionName]: undefined },
      code: 'SAML_ATTRIBUTE_MISSING',
      names: [names.roleSessionName],
    },
    {
      name: 'a blank RoleSessionName',
      attributes: { [names.roleSessionName]: '   ' },
      code: 'SAML_ATTRIBUTE_MISSING',
      names: [names.roleSessionName],
    },
    ...invalidValues(names.roleSessionName, [
      ['a RoleSessionName with a space', 'alice smith'],
      ['a one-character RoleSessionName', 'a'],
      ['a 65-character RoleSessionName', 'a'.repeat(65)],
      ['a RoleSessionName with a slash', 'corp/alice'],
    ]),
    ...invalidValues(names.dbUser, [
      ['a DbUser starting with a digit', '1alice'],
      ['DbUser PUBLIC', 'PUBLIC'],
      ['DbUser public', 'public'],
      ['an SQL-ish DbUser', "a';drop"],
      ['a DbUser with a colon', 'IAM:alice'],
      ['a 65-character DbUser', `a${'b'.repeat(64)}`],
    ]),
    {
      name: 'a RoleSessionName that is no valid DbUser when DbUser is absent',
      attributes: { [names.roleSessionName]: '12345' },
      code: 'SAML_ATTRIBUTE_INVALID',
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.code}`, () => {
      const err = rejection(c.attributes);
      assert.equal(err.code, c.code);
      for (const name of c.names ?? [])
        assert.ok(err.publicMessage.includes(name), `publicMessage should name ${name}: ${err.publicMessage}`);
    });
  }

  it('accepts exactly 100 role values', () => {
    const values = Array.from({ length: 100 }, (_, i) => `arn:aws:iam::123456789012:role/R${i},${PROVIDER}`);
    assert.equal(identity({ [names.role]: values }).roles.length, 100);
  });

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

  it('reads the attribute names configured for the IdP', () => {
    const custom = {
      ...attributeNamesSchema.parse({
        role: 'Role',
        roleSessionName: 'SessionName',
        sessionDuration: 'Duration',
        dbUser: 'User',
        dbGroups: 'Groups',
        autoCreate: 'Create',
      }),
      groups: 'memberOf',
    };
    const attributes = {
      Role: `${ROLE},${PROVIDER}`,
      SessionName: 'dave',
      Duration: '1200',
      User: 'dave_db',
      Groups: ['Sales'],
      Create: 'true',
      memberOf: ['admins'],
      // The AWS defaults are present too and must be ignored.
      [names.roleSessionName]: 'mallory',
      [names.dbUser]: 'mallory',
    };
    const id = toFederatedIdentity(basics, attributes, custom);
    assert.equal(id.roleSessionName, 'dave');
    assert.equal(id.dbUser, 'dave_db');
    assert.deepEqual(id.dbGroups, ['sales']);
    assert.equal(id.autoCreate, true);
    assert.equal(id.sessionDurationSeconds, 1200);
    assert.deepEqual(id.groups, ['admins']);

    const err = thrownBy(() =>
      toFederatedIdentity(basics, { [names.role]: `${ROLE},${PROVIDER}`, SessionName: 'dave' }, custom),
    );
    assert.ok(err instanceof AssertionRejected);
    assert.equal(err.code, 'SAML_ATTRIBUTE_MISSING');
    assert.ok(err.publicMessage.includes('"Role"'), err.publicMessage);
  });

  it('ignores non-string attribute values', () => {
    const id = identity({ [names.dbGroups]: ['analysts', { nested: true }, 42, null] });
    assert.deepEqual(id.dbGroups, ['analysts']);
  });
});
