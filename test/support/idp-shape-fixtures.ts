// SAML Responses in the shapes real IdPs send (Okta, Entra ID, ADFS, Google Workspace): their
// namespace prefixes, element order, attribute encodings and which element they sign. One
// hand-written template per IdP, signed here with xml-crypto 6 (RSA-SHA256, SHA-256 digest,
// exclusive c14n, enveloped) with the fixture IdP key. What is typical is noted per template; where
// an IdP lets the admin choose, the spec says so and tests cover the choices.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { escapeXml, NAMEID_FORMAT, type SigningKey } from '../../src/dev/saml-response.ts';
import { fixtureKeys } from './sign-response.ts';

export type IdpShapeName = 'okta' | 'entra' | 'adfs' | 'google';
/** `omitted` leaves NameFormat off the Attribute element (Entra ID, ADFS and Google do). */
export type ShapeAttributeNameFormat = 'uri' | 'basic' | 'unspecified' | 'omitted';
/** Attribute name and its values in document order; one AttributeValue per value. */
export type ShapeAttribute = readonly [name: string, values: readonly string[]];

export interface IdpShapeSpec {
  /** Destination and Recipient. */
  acsUrl: string;
  /** Leave out for an IdP-initiated response. */
  inResponseTo?: string;
  /** The IdP's clock; defaults to new Date(). */
  now?: Date;
  nameId: string;
  nameIdFormat: string;
  attributes: readonly ShapeAttribute[];
  /** Defaults per IdP: see SHAPES. */
  attributeNameFormat?: ShapeAttributeNameFormat;
  signAssertion?: boolean;
  signResponse?: boolean;
  /** exc-c14n InclusiveNamespaces PrefixList on the Reference transforms; [] for none. */
  inclusiveNamespaces?: readonly string[];
  audience?: string;
  /** Defaults to fixtureKeys.idp. */
  key?: SigningKey;
  /** Issuer (entity ID); defaults to the IdP's usual form (SHAPES[name].issuer). */
  issuer?: string;
}

interface Resolved extends Required<Omit<IdpShapeSpec, 'inResponseTo'>> {
  inResponseTo?: string;
  responseId: string;
  assertionId: string;
}

export interface IdpShape {
  name: IdpShapeName;
  label: string;
  /** The entity ID in the IdP's usual form. */
  issuer: string;
  /** What the IdP sends unless its admin changes it. */
  defaults: Required<
    Pick<IdpShapeSpec, 'signAssertion' | 'signResponse' | 'attributeNameFormat' | 'inclusiveNamespaces' | 'audience'>
  >;
  /** '' for an unprefixed Signature with a default namespace (Entra ID). */
  signaturePrefix: string;
  template(spec: Resolved): string;
  newId(): string;
}

const NS = {
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
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const MINUTE = 60_000;

export { NAMEID_FORMAT };

const iso = (d: Date): string => d.toISOString();
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const plus = (d: Date, ms: number): Date => new Date(d.getTime() + ms);
const attr = (name: string, value: string | undefined): string =>
  value === undefined ? '' : ` ${name}="${escapeXml(value)}"`;
const nameFormat = (f: ShapeAttributeNameFormat): string =>
  f === 'omitted' ? '' : attr('NameFormat', ATTRNAME_FORMAT[f]);

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
  defaults: {
    signAssertion: true,
    signResponse: false,
    attributeNameFormat: 'unspecified',
    inclusiveNamespaces: ['xs'],
    audience: 'urn:amazon:webservices',
  },
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
    s.attributes
      .map(
        ([name, values]) =>
          `<saml2:Attribute${attr('Name', name)}${nameFormat(s.attributeNameFormat)}>` +
          values
            .map(
              (v) =>
                `<saml2:AttributeValue xmlns:xsi="${NS.xsi}" xsi:type="xs:string">${escapeXml(v)}</saml2:AttributeValue>`,
            )
            .join('') +
          '</saml2:Attribute>',
      )
      .join('') +
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
  defaults: {
    signAssertion: true,
    signResponse: false,
    attributeNameFormat: 'omitted',
    inclusiveNamespaces: [],
    audience: 'https://signin.aws.amazon.com/saml',
  },
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
    [
      ['http://schemas.microsoft.com/identity/claims/tenantid', ['72f988bf-86f1-41af-91ab-2d7cd011db47']] as const,
      [
        'http://schemas.microsoft.com/identity/claims/objectidentifier',
        ['0b5d3c0e-3f0a-4f7e-9a43-5f1f0b7c2d11'],
      ] as const,
      ['http://schemas.microsoft.com/identity/claims/displayname', ['Alice Example']] as const,
      ['http://schemas.microsoft.com/identity/claims/identityprovider', [s.issuer]] as const,
      [
        'http://schemas.microsoft.com/claims/authnmethodsreferences',
        ['http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password'],
      ] as const,
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', ['alice@example.com']] as const,
      ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', ['alice@example.com']] as const,
      ...s.attributes,
    ]
      .map(
        ([name, values]) =>
          `<Attribute${attr('Name', name)}${nameFormat(s.attributeNameFormat)}>${values.map((v) => `<AttributeValue>${escapeXml(v)}</AttributeValue>`).join('')}</Attribute>`,
      )
      .join('') +
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
  defaults: {
    signAssertion: true,
    signResponse: false,
    attributeNameFormat: 'omitted',
    inclusiveNamespaces: [],
    audience: 'urn:amazon:webservices',
  },
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
      s.attributes
        .map(
          ([name, values]) =>
            `<Attribute${attr('Name', name)}${nameFormat(s.attributeNameFormat)}>${values.map(value).join('')}</Attribute>`,
        )
        .join('') +
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
  defaults: {
    signAssertion: true,
    signResponse: false,
    attributeNameFormat: 'omitted',
    inclusiveNamespaces: [],
    audience: 'urn:amazon:webservices',
  },
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
    s.attributes
      .map(
        ([name, values]) =>
          `<saml2:Attribute${attr('Name', name)}${nameFormat(s.attributeNameFormat)}>` +
          values
            .map(
              (v) =>
                `<saml2:AttributeValue xmlns:xs="${NS.xs}" xmlns:xsi="${NS.xsi}" xsi:type="xs:anyType">${escapeXml(v)}</saml2:AttributeValue>`,
            )
            .join('') +
          '</saml2:Attribute>',
      )
      .join('') +
    '</saml2:AttributeStatement>' +
    `<saml2:AuthnStatement${attr('AuthnInstant', isoSeconds(s.now))}${attr('SessionIndex', s.assertionId)}><saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>` +
    '</saml2:Assertion></saml2p:Response>',
};

export const SHAPES: Readonly<Record<IdpShapeName, IdpShape>> = { okta, entra, adfs, google };

/** A signed response in `name`'s shape, as XML. */
export function buildIdpShapeXml(name: IdpShapeName, spec: IdpShapeSpec): string {
  const shape = SHAPES[name];
  const s: Resolved = {
    ...spec,
    now: spec.now ?? new Date(),
    key: spec.key ?? fixtureKeys.idp,
    issuer: spec.issuer ?? shape.issuer,
    signAssertion: spec.signAssertion ?? shape.defaults.signAssertion,
    signResponse: spec.signResponse ?? shape.defaults.signResponse,
    attributeNameFormat: spec.attributeNameFormat ?? shape.defaults.attributeNameFormat,
    inclusiveNamespaces: spec.inclusiveNamespaces ?? shape.defaults.inclusiveNamespaces,
    audience: spec.audience ?? shape.defaults.audience,
    responseId: shape.newId(),
    assertionId: shape.newId(),
  };
  let xml = shape.template(s);
  // The assertion first, so that a Response signature covers the finished assertion signature.
  if (s.signAssertion) xml = signEnveloped(xml, 'Assertion', s, shape.signaturePrefix);
  if (s.signResponse) xml = signEnveloped(xml, 'Response', s, shape.signaturePrefix);
  return xml;
}

/** The same response, base64-encoded as an IdP posts it. */
export function buildIdpShapeResponse(name: IdpShapeName, spec: IdpShapeSpec): string {
  return Buffer.from(buildIdpShapeXml(name, spec), 'utf8').toString('base64');
}

function signEnveloped(xml: string, target: 'Assertion' | 'Response', s: Resolved, prefix: string): string {
  const xpath =
    target === 'Response'
      ? `/*[local-name()='Response' and namespace-uri()='${NS.protocol}']`
      : `/*/*[local-name()='Assertion' and namespace-uri()='${NS.assertion}']`;
  const signer = new SignedXml({
    privateKey: s.key.privateKey,
    publicCert: s.key.certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: EXC_C14N,
  });
  signer.addReference({
    xpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    // xml-crypto 6 writes this InclusiveNamespaces element into every Transform of the Reference
    // (the enveloped-signature one too, in that transform's namespace) rather than only into the
    // exc-c14n one as Okta does; verifiers read it from the last Transform, which is the exc-c14n one.
    inclusiveNamespacesPrefixList: [...s.inclusiveNamespaces],
  });
  // The schema puts the Signature right after the Issuer of the element it signs.
  signer.computeSignature(xml, {
    prefix,
    location: { reference: `${xpath}/*[local-name()='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}
