// Minimal signed SAML 2.0 Responses for the AWS emulator's tests: a Response with one Assertion
// (Issuer, bearer Subject, AWS audience, Role and RoleSessionName attributes) signed with
// RSA-SHA256 and exclusive c14n, enveloped, at the Assertion (or the Response). Not the project's
// IdP signer (src/dev/saml-response.ts); this one stays small so the emulator tests stand alone.
import { randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';
import { SignedXml } from 'xml-crypto';

export interface SamlSigningKey {
  privateKey: string;
  cert: string;
}

export const DEMO_ROLE_ARN = 'arn:aws:iam::123456789012:role/Analyst';
export const DEMO_PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/Demo';

export async function generateSigningKey(): Promise<SamlSigningKey> {
  const pems = await generate([{ name: 'commonName', value: 'emulator-test-idp' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  return { privateKey: pems.private, cert: pems.cert };
}

export interface SamlResponseOptions {
  key: SamlSigningKey;
  issuer?: string;
  nameId?: string;
  /** Values of the Role attribute; default the demo role/provider pair. */
  roles?: string[];
  roleSessionName?: string;
  recipient?: string;
  audience?: string;
  issueInstant?: Date;
  notOnOrAfter?: Date;
  sessionNotOnOrAfter?: Date;
  /** Which element carries the enveloped signature; default the Assertion. */
  signAt?: 'assertion' | 'response';
}

/** The base64 SAMLResponse an IdP would post, as STS takes it in SAMLAssertion. */
export function signedSamlResponse(options: SamlResponseOptions): string {
  return Buffer.from(signedSamlResponseXml(options), 'utf8').toString('base64');
}

export function signedSamlResponseXml(options: SamlResponseOptions): string {
  const issueInstant = options.issueInstant ?? new Date();
  const notOnOrAfter = options.notOnOrAfter ?? new Date(issueInstant.getTime() + 5 * 60 * 1000);
  const issuer = options.issuer ?? 'https://idp.example.test/metadata';
  const recipient = options.recipient ?? 'https://sso.example.test/saml/acs';
  const roles = options.roles ?? [`${DEMO_ROLE_ARN},${DEMO_PROVIDER_ARN}`];
  const assertionId = `_a${randomUUID()}`;
  const attribute = (name: string, values: string[]): string =>
    `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${escape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  const session = options.sessionNotOnOrAfter
    ? ` SessionNotOnOrAfter="${options.sessionNotOnOrAfter.toISOString()}"`
    : '';
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_r${randomUUID()}" Version="2.0" IssueInstant="${issueInstant.toISOString()}" Destination="${recipient}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${issueInstant.toISOString()}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${escape(options.nameId ?? 'alice@example.test')}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter.toISOString()}" Recipient="${recipient}"/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${new Date(issueInstant.getTime() - 60_000).toISOString()}" NotOnOrAfter="${notOnOrAfter.toISOString()}">` +
    `<saml:AudienceRestriction><saml:Audience>${options.audience ?? 'urn:amazon:webservices'}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${issueInstant.toISOString()}"${session}>` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement>` +
    `<saml:AttributeStatement>` +
    attribute('https://aws.amazon.com/SAML/Attributes/Role', roles) +
    attribute('https://aws.amazon.com/SAML/Attributes/RoleSessionName', [options.roleSessionName ?? 'alice']) +
    `</saml:AttributeStatement>` +
    `</saml:Assertion></samlp:Response>`;

  const signed = options.signAt === 'response' ? `/*[local-name(.)='Response']` : `//*[local-name(.)='Assertion']`;
  return signEnveloped(xml, options.key, signed);
}

/** An enveloped RSA-SHA256 signature (exclusive c14n) on the element at `xpath`. */
export function signEnveloped(xml: string, key: SamlSigningKey, xpath: string): string {
  const sig = new SignedXml({
    privateKey: key.privateKey,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  // The SAML schema puts a Signature right after the signed element's Issuer.
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

function escape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
