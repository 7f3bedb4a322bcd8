// XML surgery for the attack corpus: parse and serialize with @xmldom/xmldom, find the Response,
// Assertion and Signature elements, move and clone them (signature wrapping), and sign any element
// with any algorithm, transform, reference URI or KeyInfo through xml-crypto (forged signatures).
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { SigningKey } from '../../src/dev/saml-response.ts';

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export const ALG = {
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  excC14nWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  xslt: 'http://www.w3.org/TR/1999/REC-xslt-19991116',
  xpathFilter: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
  base64: 'http://www.w3.org/2000/09/xmldsig#base64',
} as const;

export const RESPONSE_XPATH = `/*[local-name()='Response' and namespace-uri()='${NS.samlp}']`;
export const ASSERTION_XPATH = `${RESPONSE_XPATH}/*[local-name()='Assertion' and namespace-uri()='${NS.saml}']`;

export function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
}

export function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node as never);
}

export function toBase64(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

export function childElements(parent: Element, ns: string, localName: string): Element[] {
  return Array.from(parent.childNodes).filter(
    (n): n is Element =>
      n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName,
  );
}

function only(parent: Element, ns: string, localName: string): Element {
  const found = childElements(parent, ns, localName)[0];
  if (found === undefined) throw new Error(`no ${localName} under ${parent.localName}`);
  return found;
}

/** The one Assertion of a Response document. */
export function assertionOf(doc: Document): Element {
  return only(doc.documentElement, NS.saml, 'Assertion');
}

export function signatureOf(element: Element): Element {
  return only(element, NS.ds, 'Signature');
}

export function issuerOf(element: Element): Element {
  return only(element, NS.saml, 'Issuer');
}

/** A deep copy of `element` in `doc` without its own enveloped ds:Signature. */
export function unsignedCopy(doc: Document, element: Element): Element {
  const copy = element.cloneNode(true) as Element;
  for (const sig of childElements(copy, NS.ds, 'Signature')) copy.removeChild(sig);
  return doc.importNode(copy, true) as Element;
}

/** Imports the first element of `xml` into `doc`. */
export function importXml(doc: Document, xml: string): Element {
  return doc.importNode(parse(xml).documentElement, true) as Element;
}

export function insertAfter(node: Node, reference: Node): void {
  const parent = reference.parentNode;
  if (parent === null) throw new Error('reference has no parent');
  parent.insertBefore(node, reference.nextSibling);
}

/** Creates `<prefix:localName>` in `ns`, declaring the namespace on it. */
export function element(doc: Document, ns: string, qualifiedName: string): Element {
  return doc.createElementNS(ns, qualifiedName);
}

/** Rewrites the whole document with string replacements, each of which must match. */
export function replaceAll(xml: string, pairs: ReadonlyArray<readonly [string | RegExp, string]>): string {
  return pairs.reduce((acc, [from, to]) => {
    const next = acc.replace(from, to);
    if (next === acc) throw new Error(`replacement did not match: ${String(from)}`);
    return next;
  }, xml);
}

export interface SignOptions {
  key: SigningKey;
  /** XPath of the element the Reference points at. */
  referenceXpath: string;
  /** XPath of the element the Signature goes next to, and where. */
  location: { reference: string; action: 'append' | 'prepend' | 'before' | 'after' };
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  canonicalizationAlgorithm?: string;
  transforms?: string[];
  /** Reference URI="" (the whole document). */
  emptyUri?: boolean;
  /** The certificate(s) written into KeyInfo; default the key's own. */
  keyInfoCertificate?: string;
  /** Sign with HMAC-SHA1, `hmacSecret` as the key (key confusion). */
  hmacSecret?: string;
}

/** Adds one enveloped ds:Signature; everything about it is the caller's choice. */
export function signWith(xml: string, options: SignOptions): string {
  const signer = new SignedXml({
    privateKey: options.hmacSecret ?? options.key.privateKey,
    publicCert: options.keyInfoCertificate ?? options.key.certificate,
    signatureAlgorithm: options.signatureAlgorithm ?? ALG.rsaSha256,
    canonicalizationAlgorithm: options.canonicalizationAlgorithm ?? ALG.excC14n,
  });
  if (options.hmacSecret !== undefined) {
    signer.enableHMAC();
    signer.signatureAlgorithm = 'http://www.w3.org/2000/09/xmldsig#hmac-sha1';
  }
  signer.addReference({
    xpath: options.referenceXpath,
    transforms: options.transforms ?? [ALG.enveloped, ALG.excC14n],
    digestAlgorithm: options.digestAlgorithm ?? ALG.sha256,
    isEmptyUri: options.emptyUri ?? false,
  });
  signer.computeSignature(xml, { prefix: 'ds', location: options.location });
  return signer.getSignedXml();
}

/** Signs the Response's Assertion the way an IdP does, with the given variations. */
export function signAssertionWith(xml: string, options: Omit<SignOptions, 'referenceXpath' | 'location'>): string {
  return signWith(xml, {
    ...options,
    referenceXpath: ASSERTION_XPATH,
    location: { reference: `${ASSERTION_XPATH}/*[local-name()='Issuer']`, action: 'after' },
  });
}

/** Signs the Response itself, with the given variations. */
export function signResponseWith(xml: string, options: Omit<SignOptions, 'referenceXpath' | 'location'>): string {
  return signWith(xml, {
    ...options,
    referenceXpath: RESPONSE_XPATH,
    location: { reference: `${RESPONSE_XPATH}/*[local-name()='Issuer']`, action: 'after' },
  });
}

/** Rewrites the Transform algorithms of every ds:Signature in the document. */
export function setTransforms(xml: string, algorithms: readonly string[]): string {
  return xml.replace(
    /<ds:Transforms>[\s\S]*?<\/ds:Transforms>/g,
    `<ds:Transforms>${algorithms.map((a) => `<ds:Transform Algorithm="${a}"/>`).join('')}</ds:Transforms>`,
  );
}
