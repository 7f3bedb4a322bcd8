// Assertion attributes -> FederatedIdentity: AWS role pairs, RoleSessionName, DbUser, DbGroups,
// AutoCreate and SessionDuration, by the rules AWS and the Redshift drivers apply. Here: the whole
// identity, the refusals and configured attribute names; role values are in
// federated-identity-roles.test.ts, each attribute's accepted values in federated-identity-values.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributeNamesSchema } from '../../../src/config/schema-idp.ts';
import { AssertionRejected } from '../../../src/errors.ts';
import { toFederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { thrownBy } from '../../support/unit-errors.ts';
import {
  basics,
  GROUPS,
  identity,
  names,
  OTHER_ACCOUNT_PROVIDER,
  PROVIDER,
  rejection,
  ROLE,
  ROLE_2,
} from './support-federated-identity.ts';

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
