// SAML Responses in the shapes real IdPs send (Okta, Entra ID, ADFS, Google Workspace): their
// namespace prefixes, element order, attribute encodings and which element they sign. One
// hand-written template per IdP (idp-shape-templates.ts), signed here with xml-crypto 6
// (RSA-SHA256, SHA-256 digest, exclusive c14n, enveloped) with the fixture IdP key. What is typical
// is noted per template; where an IdP lets the admin choose, the spec says so and tests cover the
// choices.
import { SignedXml } from 'xml-crypto';
import { NAMEID_FORMAT, type SigningKey } from '../../src/dev/saml-response.ts';
import { fixtureKeys } from './sign-response.ts';
import { EXC_C14N, NS, SHAPES } from './idp-shape-templates.ts';

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

export { NAMEID_FORMAT, SHAPES };

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
