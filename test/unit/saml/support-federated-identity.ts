// The attribute names, ARNs and builders shared by the federated-identity tests: an assertion's
// attributes with overrides (undefined removes one), the identity they give, and the refusal they get.
import assert from 'node:assert/strict';
import { attributeNamesSchema } from '../../../src/config/schema-idp.ts';
import { AssertionRejected } from '../../../src/errors.ts';
import { toFederatedIdentity, type FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { thrownBy } from '../../support/unit-errors.ts';

export const GROUPS = 'https://example.com/SAML/Attributes/Groups';
export const names = { ...attributeNamesSchema.parse({}), groups: GROUPS };
export const basics = { idpId: 'corp', issuer: 'https://idp.test.example/metadata', nameId: 'alice@example.com' };

export const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const ROLE_2 = 'arn:aws:iam::123456789012:role/path/RedshiftAdmin';
export const PROVIDER = 'arn:aws:iam::123456789012:saml-provider/TestIdP';
export const OTHER_ACCOUNT_PROVIDER = 'arn:aws:iam::210987654321:saml-provider/TestIdP';

export function attrs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { [names.role]: `${ROLE},${PROVIDER}`, [names.roleSessionName]: 'alice' };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

export function identity(
  overrides: Record<string, unknown> = {},
  attributeNames: typeof names = names,
): FederatedIdentity {
  return toFederatedIdentity(basics, attrs(overrides), attributeNames);
}

export function rejection(overrides: Record<string, unknown>, attributeNames: typeof names = names): AssertionRejected {
  const err = thrownBy(() => toFederatedIdentity(basics, attrs(overrides), attributeNames));
  assert.ok(err instanceof AssertionRejected, `expected AssertionRejected, got ${String(err)}`);
  assert.equal(err.status, 401);
  return err;
}
