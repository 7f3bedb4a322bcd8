// Signed SAML responses for tests: the committed fixture keys and a builder with the test IdP's
// defaults. Callers pass what the SP under test checks (destination, recipient, inResponseTo).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildSamlResponse,
  buildSamlResponseXml,
  type SamlResponseSpec,
  type SigningKey,
} from '../../src/dev/saml-response.ts';

// The attribute names AWS and Redshift define (the defaults of attributeNamesSchema).
const AWS_ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
const AWS_ROLE_SESSION_NAME = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
const REDSHIFT_DB_USER = 'https://redshift.amazon.com/SAML/Attributes/DbUser';
const REDSHIFT_DB_GROUPS = 'https://redshift.amazon.com/SAML/Attributes/DbGroups';

const certsDir = fileURLToPath(new URL('../fixtures/certs/', import.meta.url));

function loadKey(name: string): SigningKey {
  return {
    privateKey: readFileSync(`${certsDir}${name}.key`, 'utf8'),
    certificate: readFileSync(`${certsDir}${name}.crt`, 'utf8'),
  };
}

/** idp and idpNext are trusted by test configs; attacker never is; sp is the SP's own pair. */
export const fixtureKeys = {
  idp: loadKey('idp'),
  idpNext: loadKey('idp-next'),
  attacker: loadKey('attacker'),
  sp: loadKey('sp'),
} as const;

export const TEST_IDP_ISSUER = 'https://idp.test.example/metadata';
export const TEST_ROLE_ARN = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const TEST_PRINCIPAL_ARN = 'arn:aws:iam::123456789012:saml-provider/TestIdP';
/** A second AWS account, for clusters grouped by account and roles of another account. */
export const OTHER_ACCOUNT = '210987654321';
export const OTHER_ROLE_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:role/RedshiftAnalyst`;
export const OTHER_PRINCIPAL_ARN = `arn:aws:iam::${OTHER_ACCOUNT}:saml-provider/TestIdP`;

export const defaultTestAttributes: Readonly<Record<string, string | string[]>> = {
  [AWS_ROLE]: `${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`,
  [AWS_ROLE_SESSION_NAME]: 'alice',
  [REDSHIFT_DB_USER]: 'alice',
  [REDSHIFT_DB_GROUPS]: ['Analysts'],
};

export type SamlResponseOverrides = Partial<SamlResponseSpec> & {
  /** Merged over the default attributes; `undefined` removes one (`{ [AWS_ROLE]: undefined }`). */
  extraAttributes?: Record<string, string | string[] | undefined>;
};

/** A signed SAMLResponse (base64) from the test IdP; `attributes` replaces the defaults wholesale. */
export function aSamlResponse(overrides: SamlResponseOverrides = {}): string {
  return buildSamlResponse(aSamlResponseSpec(overrides));
}

/** The same response as XML, for tests that tamper with it after signing. */
export function aSamlResponseXml(overrides: SamlResponseOverrides = {}): string {
  return buildSamlResponseXml(aSamlResponseSpec(overrides));
}

export function aSamlResponseSpec(overrides: SamlResponseOverrides = {}): SamlResponseSpec {
  const { extraAttributes, ...spec } = overrides;
  const attributes: Record<string, string | string[]> = { ...(spec.attributes ?? defaultTestAttributes) };
  for (const [name, value] of Object.entries(extraAttributes ?? {})) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
  }
  return {
    issuer: TEST_IDP_ISSUER,
    audiences: ['urn:amazon:webservices'],
    nameId: 'alice@example.com',
    nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
    key: fixtureKeys.idp,
    ...spec,
    attributes,
  };
}

export { AWS_ROLE, AWS_ROLE_SESSION_NAME, REDSHIFT_DB_USER, REDSHIFT_DB_GROUPS };
