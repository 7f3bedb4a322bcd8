// The AWS Role attribute's values -> role pairs (parseRolePairs): either ARN order, spaces, duplicates,
// partitions, and the values skipped into ignored with the reason. The rest of toFederatedIdentity is in
// federated-identity.test.ts and federated-identity-values.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRolePairs } from '../../../src/saml/federated-identity.ts';
import { OTHER_ACCOUNT_PROVIDER, PROVIDER, ROLE, ROLE_2 } from './support-federated-identity.ts';

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
