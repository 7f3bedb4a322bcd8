// Builds and signs real SAML 2.0 Responses, for the demo IdP and for tests (including attack
// tests, hence the many knobs). It only produces XML; validating responses is saml/'s job.
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';

export interface SigningKey {
  /** PEM. */
  privateKey: string;
  /** PEM. */
  certificate: string;
}

export interface SamlResponseSpec {
  issuer: string;
  destination?: string;
  inResponseTo?: string;
  /** SubjectConfirmationData Recipient; defaults to destination. */
  recipient?: string;
  /** One Audience each; an empty list leaves out AudienceRestriction. */
  audiences: string[];
  nameId: string;
  /** Defaults to NAMEID_FORMAT.unspecified. */
  nameIdFormat?: string;
  attributes: Record<string, string | string[]>;
  /** Defaults to 'uri': the AWS and Redshift attribute names are URIs. */
  attributeNameFormat?: 'uri' | 'basic' | 'unspecified';
  /** IssueInstant of Response and Assertion; defaults to new Date(). */
  now?: Date;
  /** Defaults to now - 1 minute. */
  notBefore?: Date;
  /** Defaults to now + 5 minutes. */
  notOnOrAfter?: Date;
  /** Defaults to notOnOrAfter. */
  subjectNotOnOrAfter?: Date;
  /** Defaults to now + 8 hours. */
  sessionNotOnOrAfter?: Date;
  /** Defaults to now. */
  authnInstant?: Date;
  sessionIndex?: string;
  /** Code and subCode may be full URIs or the last segment ('Success', 'Responder'). */
  status?: { code: string; subCode?: string; message?: string };
  /** Keep the assertion even when the status is not Success. */
  includeAssertion?: boolean;
  responseId?: string;
  assertionId?: string;
  /** Default false. */
  signResponse?: boolean;
  /** Default true. */
  signAssertion?: boolean;
  /** Default sha256: RSA-SHA256 with a SHA-256 digest. Both use exclusive c14n. */
  signatureAlgorithm?: 'sha256' | 'sha1';
  /** Rewrites the unsigned XML before any signature is computed, so a test can sign a malformed shape. */
  beforeSigning?: (xml: string) => string;
  key: SigningKey;
}

const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

export const NAMEID_FORMAT = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  transient: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
} as const;

const ATTRNAME_FORMAT = {
  uri: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  basic: 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
  unspecified: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
} as const;

const ALGORITHMS = {
  sha256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
  sha1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
} as const;

const STATUS_PREFIX = 'urn:oasis:names:tc:SAML:2.0:status:';
const SUCCESS = `${STATUS_PREFIX}Success`;
const MINUTE = 60_000;

/** Escapes text and attribute values alike (both quote characters included). */
export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c] ?? ''};`,
  );
}

export function randomSamlId(): string {
  // IDs are xs:ID (NCName), so they must not start with a digit.
  return `_${randomBytes(20).toString('hex')}`;
}

export function buildSamlResponse(spec: SamlResponseSpec): string {
  return Buffer.from(buildSamlResponseXml(spec), 'utf8').toString('base64');
}

export function buildSamlResponseXml(spec: SamlResponseSpec): string {
  const now = spec.now ?? new Date();
  const statusCode = statusUri(spec.status?.code ?? 'Success');
  const withAssertion = statusCode === SUCCESS || spec.includeAssertion === true;
  const responseAttrs = attrs({
    'xmlns:samlp': NS.samlp,
    'xmlns:saml': NS.saml,
    ID: spec.responseId ?? randomSamlId(),
    Version: '2.0',
    IssueInstant: iso(now),
    Destination: spec.destination,
    InResponseTo: spec.inResponseTo,
  });
  let xml =
    `<samlp:Response${responseAttrs}>` +
    `<saml:Issuer>${escapeXml(spec.issuer)}</saml:Issuer>` +
    statusXml(statusCode, spec.status) +
    (withAssertion ? assertionXml(spec, now) : '') +
    '</samlp:Response>';
  if (spec.beforeSigning) xml = spec.beforeSigning(xml);
  // The assertion goes first: the response signature then covers the finished assertion signature.
  if (withAssertion && (spec.signAssertion ?? true)) {
    xml = sign(xml, spec, `/*/*[local-name()='Assertion' and namespace-uri()='${NS.saml}']`);
  }
  if (spec.signResponse ?? false) {
    xml = sign(xml, spec, `/*[local-name()='Response' and namespace-uri()='${NS.samlp}']`);
  }
  return xml;
}

function assertionXml(spec: SamlResponseSpec, now: Date): string {
  const notOnOrAfter = spec.notOnOrAfter ?? new Date(now.getTime() + 5 * MINUTE);
  const recipient = spec.recipient ?? spec.destination;
  const audiences = spec.audiences.map((a) => `<saml:Audience>${escapeXml(a)}</saml:Audience>`).join('');
  return (
    `<saml:Assertion${attrs({ 'xmlns:saml': NS.saml, 'xmlns:xs': NS.xs, 'xmlns:xsi': NS.xsi, ID: spec.assertionId ?? randomSamlId(), Version: '2.0', IssueInstant: iso(now) })}>` +
    `<saml:Issuer>${escapeXml(spec.issuer)}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID${attrs({ Format: spec.nameIdFormat ?? NAMEID_FORMAT.unspecified })}>${escapeXml(spec.nameId)}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData${attrs({ NotOnOrAfter: iso(spec.subjectNotOnOrAfter ?? notOnOrAfter), Recipient: recipient, InResponseTo: spec.inResponseTo })}/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions${attrs({ NotBefore: iso(spec.notBefore ?? new Date(now.getTime() - MINUTE)), NotOnOrAfter: iso(notOnOrAfter) })}>` +
    (audiences ? `<saml:AudienceRestriction>${audiences}</saml:AudienceRestriction>` : '') +
    '</saml:Conditions>' +
    authnStatementXml(spec, now) +
    attributeStatementXml(spec) +
    '</saml:Assertion>'
  );
}

function authnStatementXml(spec: SamlResponseSpec, now: Date): string {
  const statementAttrs = attrs({
    AuthnInstant: iso(spec.authnInstant ?? now),
    SessionIndex: spec.sessionIndex ?? randomSamlId(),
    SessionNotOnOrAfter: iso(spec.sessionNotOnOrAfter ?? new Date(now.getTime() + 480 * MINUTE)),
  });
  return (
    `<saml:AuthnStatement${statementAttrs}><saml:AuthnContext>` +
    '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>' +
    '</saml:AuthnContext></saml:AuthnStatement>'
  );
}

function attributeStatementXml(spec: SamlResponseSpec): string {
  const nameFormat = ATTRNAME_FORMAT[spec.attributeNameFormat ?? 'uri'];
  const attributes = Object.entries(spec.attributes).map(([name, value]) => {
    const values = (Array.isArray(value) ? value : [value])
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`)
      .join('');
    return `<saml:Attribute${attrs({ Name: name, NameFormat: nameFormat })}>${values}</saml:Attribute>`;
  });
  // The schema wants at least one statement child, so no attributes means no AttributeStatement.
  return attributes.length > 0 ? `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>` : '';
}

function statusXml(code: string, status: SamlResponseSpec['status']): string {
  const sub = status?.subCode ? `<samlp:StatusCode Value="${escapeXml(statusUri(status.subCode))}"/>` : '';
  const message =
    status?.message === undefined ? '' : `<samlp:StatusMessage>${escapeXml(status.message)}</samlp:StatusMessage>`;
  return `<samlp:Status><samlp:StatusCode Value="${escapeXml(code)}">${sub}</samlp:StatusCode>${message}</samlp:Status>`;
}

function sign(xml: string, spec: SamlResponseSpec, referenceXpath: string): string {
  const algorithm = ALGORITHMS[spec.signatureAlgorithm ?? 'sha256'];
  const signer = new SignedXml({
    privateKey: spec.key.privateKey,
    publicCert: spec.key.certificate,
    signatureAlgorithm: algorithm.signature,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: referenceXpath,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: algorithm.digest,
    // No InclusiveNamespaces PrefixList for the xs prefix of xsi:type: xml-crypto 6 would put
    // one in every Transform, enveloped-signature included, under the wrong namespace.
  });
  // The schema puts ds:Signature right after the Issuer of the element it signs.
  signer.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${referenceXpath}/*[local-name()='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

function statusUri(code: string): string {
  return code.includes(':') ? code : `${STATUS_PREFIX}${code}`;
}

function iso(date: Date): string {
  return date.toISOString();
}

function attrs(values: Record<string, string | undefined>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
}
