// The four IdP templates behind idp-shape-fixtures.ts, one hand-written per IdP: their prefixes,
// attribute order, spacing and time formats are the point, so they share only small helpers.
// What is typical for each IdP is noted on its template.
import { randomBytes, randomUUID } from 'node:crypto';
import { escapeXml } from '../../src/dev/saml-response.ts';
import type { IdpShape, IdpShapeName, ShapeAttribute, ShapeAttributeNameFormat } from './idp-shape-fixtures.ts';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
} as const;

const ATTRNAME_FORMAT: Record<Exclude<ShapeAttributeNameFormat, 'omitted'>, string> = {
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
};

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const MINUTE = 60_000;

const iso = (d: Date): string => d.toISOString();
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const plus = (d: Date, ms: number): Date => new Date(d.getTime() + ms);
const attr = (name: string, value: string | undefined): string =>
  value === undefined ? '' : ` ${name}="${escapeXml(value)}"`;
const nameFormat = (f: ShapeAttributeNameFormat): string =>
  f === 'omitted' ? '' : attr('NameFormat', ATTRNAME_FORMAT[f]);

/** `<prefix:Attribute Name NameFormat>` with one value element per value, for each attribute in order. */
function attributeElements(
  attributes: readonly ShapeAttribute[],
  format: ShapeAttributeNameFormat,
  element: 'saml2:Attribute' | 'Attribute',
  value: (v: string) => string,
): string {
  return attributes
    .map(
      ([name, values]) =>
        `<${element}${attr('Name', name)}${nameFormat(format)}>${values.map(value).join('')}</${element}>`,
    )
    .join('');
}

/** Assertion signed, Response not, no NameFormat, no PrefixList, AWS's audience: what most IdPs send. */
const ASSERTION_SIGNED: IdpShape['defaults'] = {
  signAssertion: true,
  signResponse: false,
  attributeNameFormat: 'omitted',
  inclusiveNamespaces: [],
  audience: 'urn:amazon:webservices',
};

/**
 * Okta (custom SAML 2.0 app): `saml2p:`/`saml2:` prefixes, each element declaring its own
 * namespace, IDs like `id1234…`, Issuer with Format=entity, `xs:string` typed values with the xs
 * prefix declared on Response and Assertion, and an exc-c14n transform carrying
 * `<ec:InclusiveNamespaces PrefixList="xs"/>`. The assertion is always signed ("Assertion
 * Signature: Signed"); the Response signature is a separate choice ("Response: Signed/Unsigned" in
 * the app's advanced settings), and which of the two is the default has changed over time, so both
 * are tested. Attribute statements choose NameFormat Unspecified (default), URI Reference or Basic.
 */
const okta: IdpShape = {
  name: 'okta',
  label: 'Okta',
  issuer: 'http://www.okta.com/exk1fcia6d6EMsf331d8',
  defaults: { ...ASSERTION_SIGNED, attributeNameFormat: 'unspecified', inclusiveNamespaces: ['xs'] },
  signaturePrefix: 'ds',
  newId: () => `id${Array.from(randomBytes(27), (b) => b % 10).join('')}`,
  template: (s) =>
    `<saml2p:Response xmlns:saml2p="${NS.protocol}"${attr('Destination', s.acsUrl)}${attr('ID', s.responseId)}${attr('InResponseTo', s.inResponseTo)}${attr('IssueInstant', iso(s.now))} Version="2.0" xmlns:xs="${NS.xs}">` +
    `<saml2:Issuer xmlns:saml2="${NS.assertion}" Format="${ENTITY}">${escapeXml(s.issuer)}</saml2:Issuer>` +
    `<saml2p:Status xmlns:saml2p="${NS.protocol}"><saml2p:StatusCode Value="${SUCCESS}"/></saml2p:Status>` +
    `<saml2:Assertion xmlns:saml2="${NS.assertion}"${attr('ID', s.assertionId)}${attr('IssueInstant', iso(s.now))} Version="2.0" xmlns:xs="${NS.xs}">` +
    `<saml2:Issuer Format="${ENTITY}" xmlns:saml2="${NS.assertion}">${escapeXml(s.issuer)}</saml2:Issuer>` +
    `<saml2:Subject xmlns:saml2="${NS.assertion}">` +
    `<saml2:NameID${attr('Format', s.nameIdFormat)}>${escapeXml(s.nameId)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="${BEARER}"><saml2:SubjectConfirmationData${attr('InResponseTo', s.inResponseTo)}${attr('NotOnOrAfter', iso(plus(s.now, 5 * MINUTE)))}${attr('Recipient', s.acsUrl)}/></saml2:SubjectConfirmation>` +
    '</saml2:Subject>' +
    `<saml2:Conditions${attr('NotBefore', iso(plus(s.now, -5 * MINUTE)))}${attr('NotOnOrAfter', iso(plus(s.now, 5 * MINUTE)))} xmlns:saml2="${NS.assertion}">` +
    `<saml2:AudienceRestriction><saml2:Audience>${escapeXml(s.audience)}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
    `<saml2:AuthnStatement${attr('AuthnInstant', iso(s.now))}${attr('SessionIndex', s.responseId)} xmlns:saml2="${NS.assertion}">` +
    '<saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>' +
    `<saml2:AttributeStatement xmlns:saml2="${NS.assertion}">` +
    attributeElements(
      s.attributes,
      s.attributeNameFormat,
      'saml2:Attribute',
      (v) => `<saml2:AttributeValue xmlns:xsi="${NS.xsi}" xsi:type="xs:string">${escapeXml(v)}</saml2:AttributeValue>`,
    ) +
    '</saml2:AttributeStatement></saml2:Assertion></saml2p:Response>',
};

/**
 * Entra ID (Azure AD, "AWS Single-Account Access" gallery app or a non-gallery app): `samlp:` on
 * Response and Status only; Issuer and Assertion in the assertion namespace as the default
 * namespace (`xmlns=`), an unprefixed `<Signature xmlns="…xmldsig#">`, IDs `_<guid>`, no
 * NameFormat and no xsi:type on attributes, AttributeStatement before AuthnStatement, Microsoft
 * claims (tenantid, objectidentifier, displayname, identityprovider, authnmethodsreferences) and
 * xmlsoap claims besides the AWS ones. Signing option default "Sign SAML assertion"; the others
 * are "Sign SAML response" and "Sign SAML response and assertion". The gallery app's Identifier is
 * `https://signin.aws.amazon.com/saml` (`#2`, `#3`… for further instances of the app).
 */
const entra: IdpShape = {
  name: 'entra',
  label: 'Entra ID',
  issuer: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/',
  defaults: { ...ASSERTION_SIGNED, audience: 'https://signin.aws.amazon.com/saml' },
  signaturePrefix: '',
  newId: () => `_${randomUUID()}`,
  template: (s) =>
    `<samlp:Response${attr('ID', s.responseId)} Version="2.0"${attr('IssueInstant', iso(s.now))}${attr('Destination', s.acsUrl)}${attr('InResponseTo', s.inResponseTo)} xmlns:samlp="${NS.protocol}">` +
    `<Issuer xmlns="${NS.assertion}">${escapeXml(s.issuer)}</Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${SUCCESS}"/></samlp:Status>` +
    `<Assertion${attr('ID', s.assertionId)}${attr('IssueInstant', iso(s.now))} Version="2.0" xmlns="${NS.assertion}">` +
    `<Issuer>${escapeXml(s.issuer)}</Issuer>` +
    `<Subject><NameID${attr('Format', s.nameIdFormat)}>${escapeXml(s.nameId)}</NameID>` +
    `<SubjectConfirmation Method="${BEARER}"><SubjectConfirmationData${attr('InResponseTo', s.inResponseTo)}${attr('NotOnOrAfter', iso(plus(s.now, 5 * MINUTE)))}${attr('Recipient', s.acsUrl)}/></SubjectConfirmation></Subject>` +
    `<Conditions${attr('NotBefore', iso(plus(s.now, -5 * MINUTE)))}${attr('NotOnOrAfter', iso(plus(s.now, 65 * MINUTE)))}>` +
    `<AudienceRestriction><Audience>${escapeXml(s.audience)}</Audience></AudienceRestriction></Conditions>` +
    '<AttributeStatement>' +
    attributeElements(
      [
        ['http://schemas.microsoft.com/identity/claims/tenantid', ['72f988bf-86f1-41af-91ab-2d7cd011db47']],
        ['http://schemas.microsoft.com/identity/claims/objectidentifier', ['0b5d3c0e-3f0a-4f7e-9a43-5f1f0b7c2d11']],
        ['http://schemas.microsoft.com/identity/claims/displayname', ['Alice Example']],
        ['http://schemas.microsoft.com/identity/claims/identityprovider', [s.issuer]],
        [
          'http://schemas.microsoft.com/claims/authnmethodsreferences',
          ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
        ],
        ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', ['alice@example.com']],
        ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', ['alice@example.com']],
        ...s.attributes,
      ],
      s.attributeNameFormat,
      'Attribute',
      (v) => `<AttributeValue>${escapeXml(v)}</AttributeValue>`,
    ) +
    '</AttributeStatement>' +
    `<AuthnStatement${attr('AuthnInstant', iso(s.now))}${attr('SessionIndex', s.assertionId)}><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
    '</Assertion></samlp:Response>',
};

/**
 * ADFS (2012 R2 / 2016 / 2019): `samlp:` Response with Consent, Issuer and Assertion in the default
 * namespace, `ds:` Signature, IDs `_<guid>`, attributes without NameFormat or xsi:type (unless a
 * claim rule sets them), NameID transient or persistent (the AWS guide's rule sends the Windows
 * account name as persistent), AuthnContext `urn:federation:authentication:windows` for
 * integrated auth. `Set-AdfsRelyingPartyTrust -SamlResponseSignature` is AssertionOnly (default),
 * MessageAndAssertion or MessageOnly. Relying parties created on ADFS 2.0 default to SHA-1
 * (`-SignatureAlgorithm`); newer ones to SHA-256. ADFS is not known for an InclusiveNamespaces
 * PrefixList in its transforms; the rows that add one (with `xs` declared on the Response only,
 * used by `xsi:type="xs:string"` inside the assertion) exercise the PrefixList itself.
 */
const adfs: IdpShape = {
  name: 'adfs',
  label: 'ADFS',
  issuer: 'http://adfs.example.com/adfs/services/trust',
  defaults: ASSERTION_SIGNED,
  signaturePrefix: 'ds',
  newId: () => `_${randomUUID()}`,
  template: (s) => {
    const typed = s.inclusiveNamespaces.includes('xs');
    const value = (v: string): string =>
      typed
        ? `<AttributeValue xsi:type="xs:string">${escapeXml(v)}</AttributeValue>`
        : `<AttributeValue>${escapeXml(v)}</AttributeValue>`;
    return (
      `<samlp:Response${attr('ID', s.responseId)} Version="2.0"${attr('IssueInstant', iso(s.now))}${attr('Destination', s.acsUrl)} Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified"${attr('InResponseTo', s.inResponseTo)} xmlns:samlp="${NS.protocol}"${typed ? ` xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}"` : ''}>` +
      `<Issuer xmlns="${NS.assertion}">${escapeXml(s.issuer)}</Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="${SUCCESS}" /></samlp:Status>` +
      `<Assertion${attr('ID', s.assertionId)}${attr('IssueInstant', iso(s.now))} Version="2.0" xmlns="${NS.assertion}">` +
      `<Issuer>${escapeXml(s.issuer)}</Issuer>` +
      `<Subject><NameID${attr('Format', s.nameIdFormat)}>${escapeXml(s.nameId)}</NameID>` +
      `<SubjectConfirmation Method="${BEARER}"><SubjectConfirmationData${attr('InResponseTo', s.inResponseTo)}${attr('NotOnOrAfter', iso(plus(s.now, 5 * MINUTE)))}${attr('Recipient', s.acsUrl)} /></SubjectConfirmation></Subject>` +
      `<Conditions${attr('NotBefore', iso(s.now))}${attr('NotOnOrAfter', iso(plus(s.now, 60 * MINUTE)))}>` +
      `<AudienceRestriction><Audience>${escapeXml(s.audience)}</Audience></AudienceRestriction></Conditions>` +
      '<AttributeStatement>' +
      attributeElements(s.attributes, s.attributeNameFormat, 'Attribute', value) +
      '</AttributeStatement>' +
      `<AuthnStatement${attr('AuthnInstant', iso(s.now))}${attr('SessionIndex', s.assertionId)}><AuthnContext><AuthnContextClassRef>urn:federation:authentication:windows</AuthnContextClassRef></AuthnContext></AuthnStatement>` +
      '</Assertion></samlp:Response>'
    );
  },
};

/**
 * Google Workspace (custom SAML app): `saml2p:`/`saml2:` prefixes, entity ID
 * `https://accounts.google.com/o/saml2?idpid=…`, times without milliseconds, attributes without
 * NameFormat whose values are typed `xs:anyType` (xs and xsi declared on each value). The
 * assertion is signed; the app's "Signed response" checkbox (off by default) signs the whole
 * Response too. Whether Google then still signs the assertion is not something we could confirm,
 * so both "response and assertion" and "response only" (with wantAssertionsSigned: false) are
 * tested. NameID format is chosen per app: UNSPECIFIED, EMAIL, PERSISTENT or TRANSIENT.
 */
const google: IdpShape = {
  name: 'google',
  label: 'Google Workspace',
  issuer: 'https://accounts.google.com/o/saml2?idpid=C03abc123',
  defaults: ASSERTION_SIGNED,
  signaturePrefix: 'ds',
  newId: () => `_${randomBytes(16).toString('hex')}`,
  template: (s) =>
    `<saml2p:Response xmlns:saml2p="${NS.protocol}"${attr('Destination', s.acsUrl)}${attr('ID', s.responseId)}${attr('InResponseTo', s.inResponseTo)}${attr('IssueInstant', isoSeconds(s.now))} Version="2.0">` +
    `<saml2:Issuer xmlns:saml2="${NS.assertion}">${escapeXml(s.issuer)}</saml2:Issuer>` +
    `<saml2p:Status><saml2p:StatusCode Value="${SUCCESS}"/></saml2p:Status>` +
    `<saml2:Assertion xmlns:saml2="${NS.assertion}"${attr('ID', s.assertionId)}${attr('IssueInstant', isoSeconds(s.now))} Version="2.0">` +
    `<saml2:Issuer>${escapeXml(s.issuer)}</saml2:Issuer>` +
    `<saml2:Subject><saml2:NameID${attr('Format', s.nameIdFormat)}>${escapeXml(s.nameId)}</saml2:NameID>` +
    `<saml2:SubjectConfirmation Method="${BEARER}"><saml2:SubjectConfirmationData${attr('InResponseTo', s.inResponseTo)}${attr('NotOnOrAfter', isoSeconds(plus(s.now, 5 * MINUTE)))}${attr('Recipient', s.acsUrl)}/></saml2:SubjectConfirmation></saml2:Subject>` +
    `<saml2:Conditions${attr('NotBefore', isoSeconds(plus(s.now, -5 * MINUTE)))}${attr('NotOnOrAfter', isoSeconds(plus(s.now, 5 * MINUTE)))}>` +
    `<saml2:AudienceRestriction><saml2:Audience>${escapeXml(s.audience)}</saml2:Audience></saml2:AudienceRestriction></saml2:Conditions>` +
    '<saml2:AttributeStatement>' +
    attributeElements(
      s.attributes,
      s.attributeNameFormat,
      'saml2:Attribute',
      (v) =>
        `<saml2:AttributeValue xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}" xsi:type="xs:anyType">${escapeXml(v)}</saml2:AttributeValue>`,
    ) +
    '</saml2:AttributeStatement>' +
    `<saml2:AuthnStatement${attr('AuthnInstant', isoSeconds(s.now))}${attr('SessionIndex', s.assertionId)}><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
    '</saml2:Assertion></saml2p:Response>',
};

export const SHAPES: Readonly<Record<IdpShapeName, IdpShape>> = { okta, entra, adfs, google };
