// The IdP response shapes that idp-shapes.test.ts and idp-shapes-refusals.test.ts walk: the attribute
// sets, the identity each must give, one case per IdP setting, and a fresh SP answering each case.
import type { RolePair } from '../../../src/saml/federated-identity.ts';
import {
  buildIdpShapeXml,
  NAMEID_FORMAT,
  SHAPES,
  type IdpShapeName,
  type IdpShapeSpec,
  type ShapeAttribute,
} from '../../support/idp-shape-fixtures.ts';
import { aShapeServiceProvider, type ShapeSpOptions } from '../../support/idp-shape-sp.ts';
import {
  AWS_ROLE,
  AWS_ROLE_SESSION_NAME,
  REDSHIFT_DB_GROUPS,
  REDSHIFT_DB_USER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../../support/sign-response.ts';
import { rejectionOf } from '../../support/unit-errors.ts';

export const ROLE_B = 'arn:aws:iam::123456789012:role/RedshiftEngineer';
export const FORGED_ROLE = 'arn:aws:iam::123456789012:role/Admin';

export const ONE_ROLE_ROLE_FIRST: readonly ShapeAttribute[] = [
  [AWS_ROLE, [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`]],
  [AWS_ROLE_SESSION_NAME, ['alice']],
  [REDSHIFT_DB_USER, ['alice']],
  [REDSHIFT_DB_GROUPS, ['Analysts']],
];
/** No DbUser (the Entra and Google AWS setups usually send none): it defaults to RoleSessionName. */
export const ONE_ROLE_PROVIDER_FIRST: readonly ShapeAttribute[] = [
  [AWS_ROLE, [`${TEST_PRINCIPAL_ARN},${TEST_ROLE_ARN}`]],
  [AWS_ROLE_SESSION_NAME, ['alice']],
  [REDSHIFT_DB_GROUPS, ['Analysts']],
];
/** Several Role values, one in each ARN order; several DbGroups values. */
export const TWO_ROLES_BOTH_ORDERS: readonly ShapeAttribute[] = [
  [AWS_ROLE_SESSION_NAME, ['alice']],
  [AWS_ROLE, [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${TEST_PRINCIPAL_ARN},${ROLE_B}`]],
  [REDSHIFT_DB_USER, ['alice']],
  [REDSHIFT_DB_GROUPS, ['Analysts', 'Engineers']],
];

export interface ExpectedIdentity {
  roles: RolePair[];
  roleSessionName: string;
  dbUser: string;
  dbGroups: string[];
}

export const ONE_ROLE: ExpectedIdentity = {
  roles: [{ roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN }],
  roleSessionName: 'alice',
  dbUser: 'alice',
  dbGroups: ['analysts'],
};
export const TWO_ROLES: ExpectedIdentity = {
  roles: [
    { roleArn: TEST_ROLE_ARN, principalArn: TEST_PRINCIPAL_ARN },
    { roleArn: ROLE_B, principalArn: TEST_PRINCIPAL_ARN },
  ],
  roleSessionName: 'alice',
  dbUser: 'alice',
  dbGroups: ['analysts', 'engineers'],
};

export interface ShapeCase {
  name: string;
  shape: IdpShapeName;
  nameId: string;
  nameIdFormat: string;
  attributes: readonly ShapeAttribute[];
  spec?: Partial<IdpShapeSpec>;
  idp?: ShapeSpOptions['idp'];
  /** Local names of the elements carrying a Signature, in document order. */
  signed: string[];
  expected: ExpectedIdentity;
}

/** The NameID most IdPs send for alice. */
export const ALICE_BY_EMAIL = { nameId: 'alice@example.com', nameIdFormat: NAMEID_FORMAT.emailAddress } as const;

export const cases: ShapeCase[] = [
  {
    name: 'Okta: assertion signed, Response not, emailAddress NameID, NameFormat unspecified, one role',
    shape: 'okta',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_ROLE_FIRST,
    signed: ['Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'Okta: Response and assertion signed, NameFormat uri, several roles in both ARN orders',
    shape: 'okta',
    ...ALICE_BY_EMAIL,
    attributes: TWO_ROLES_BOTH_ORDERS,
    spec: { signResponse: true, attributeNameFormat: 'uri' },
    signed: ['Response', 'Assertion'],
    expected: TWO_ROLES,
  },
  {
    name: 'Okta: NameFormat basic, unspecified NameID, one role written provider first',
    shape: 'okta',
    nameId: 'alice',
    nameIdFormat: NAMEID_FORMAT.unspecified,
    attributes: ONE_ROLE_PROVIDER_FIRST,
    spec: { attributeNameFormat: 'basic' },
    signed: ['Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'Entra ID: "Sign SAML assertion" (default), emailAddress NameID, Microsoft claims, no DbUser',
    shape: 'entra',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_PROVIDER_FIRST,
    signed: ['Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'Entra ID: persistent NameID, several roles in both ARN orders',
    shape: 'entra',
    nameId: 'mRcXHDbwQ3bLz1VYg7cd1Q8wA4oYl5T6fKmN0pqRsTu',
    nameIdFormat: NAMEID_FORMAT.persistent,
    attributes: TWO_ROLES_BOTH_ORDERS,
    signed: ['Assertion'],
    expected: TWO_ROLES,
  },
  {
    name: 'Entra ID: "Sign SAML response and assertion", Audience urn:amazon:webservices',
    shape: 'entra',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_ROLE_FIRST,
    spec: { signResponse: true, audience: 'urn:amazon:webservices' },
    signed: ['Response', 'Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'Entra ID: "Sign SAML response" only, with wantAssertionsSigned: false',
    shape: 'entra',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_ROLE_FIRST,
    spec: { signResponse: true, signAssertion: false },
    idp: { wantAssertionsSigned: false },
    signed: ['Response'],
    expected: ONE_ROLE,
  },
  {
    name: 'ADFS: AssertionOnly (default), transient NameID, one role',
    shape: 'adfs',
    nameId: '_9f3c6d0e-2b1a-4c5d-8e7f-0a1b2c3d4e5f',
    nameIdFormat: NAMEID_FORMAT.transient,
    attributes: ONE_ROLE_ROLE_FIRST,
    signed: ['Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'ADFS: MessageAndAssertion, persistent DOMAIN\\user NameID, several roles, InclusiveNamespaces PrefixList="xs"',
    shape: 'adfs',
    nameId: 'EXAMPLE\\alice',
    nameIdFormat: NAMEID_FORMAT.persistent,
    attributes: TWO_ROLES_BOTH_ORDERS,
    spec: { signResponse: true, inclusiveNamespaces: ['xs'] },
    signed: ['Response', 'Assertion'],
    expected: TWO_ROLES,
  },
  {
    name: 'ADFS: MessageOnly with wantAssertionsSigned: false, unspecified NameID, NameFormat uri from a claim rule',
    shape: 'adfs',
    nameId: 'alice',
    nameIdFormat: NAMEID_FORMAT.unspecified,
    attributes: ONE_ROLE_PROVIDER_FIRST,
    spec: { signResponse: true, signAssertion: false, attributeNameFormat: 'uri' },
    idp: { wantAssertionsSigned: false },
    signed: ['Response'],
    expected: ONE_ROLE,
  },
  {
    name: 'Google Workspace: assertion signed ("Signed response" off), EMAIL NameID, xs:anyType values',
    shape: 'google',
    ...ALICE_BY_EMAIL,
    attributes: ONE_ROLE_ROLE_FIRST,
    signed: ['Assertion'],
    expected: ONE_ROLE,
  },
  {
    name: 'Google Workspace: "Signed response" with the assertion signed too, PERSISTENT NameID, several roles',
    shape: 'google',
    nameId: 'alice@example.com',
    nameIdFormat: NAMEID_FORMAT.persistent,
    attributes: TWO_ROLES_BOTH_ORDERS,
    spec: { signResponse: true },
    signed: ['Response', 'Assertion'],
    expected: TWO_ROLES,
  },
  {
    name: 'Google Workspace: "Signed response" only, with wantAssertionsSigned: false, TRANSIENT NameID',
    shape: 'google',
    nameId: 'alice@example.com',
    nameIdFormat: NAMEID_FORMAT.transient,
    attributes: ONE_ROLE_PROVIDER_FIRST,
    spec: { signResponse: true, signAssertion: false },
    idp: { wantAssertionsSigned: false },
    signed: ['Response'],
    expected: ONE_ROLE,
  },
];

export type CaseResponse = Pick<ShapeCase, 'shape' | 'nameId' | 'nameIdFormat' | 'attributes' | 'spec' | 'idp'>;

/** Builds this case's response to a fresh SP's AuthnRequest, hands both to `use`, then closes the SP. */
export async function withCaseResponse<T>(
  c: CaseResponse,
  use: (h: ReturnType<typeof aShapeServiceProvider>, xml: string) => Promise<T>,
): Promise<T> {
  const h = aShapeServiceProvider({ idp: { entityId: SHAPES[c.shape].issuer, ...c.idp } });
  try {
    const xml = buildIdpShapeXml(c.shape, {
      acsUrl: h.acsUrl,
      inResponseTo: await h.startLogin(),
      nameId: c.nameId,
      nameIdFormat: c.nameIdFormat,
      attributes: c.attributes,
      ...c.spec,
    });
    return await use(h, xml);
  } finally {
    await h.close();
  }
}

/** What validateResponse throws for this case's response (after `tamper`, when given). */
export function refusalOf(c: CaseResponse, tamper: (xml: string) => string = (xml) => xml): Promise<unknown> {
  return withCaseResponse(c, (h, xml) => rejectionOf(h.validateXml(tamper(xml))));
}
