// Reads the one assertion STS would trust out of a base64 SAML Response: parses it safely, decrypts an
// EncryptedAssertion with the provider's private keys, checks the XML signature against the IAM SAML
// provider's certificates, and returns fields taken only from the bytes that were signed. Time, role
// and session-name checks are left to sts.ts.
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { decryptAssertionXml } from './encrypted-assertion.ts';
import { AwsFault } from './wire.ts';

const NS = {
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

/** SAMLAssertionType in the STS model: at most 100,000 characters of base64. */
export const MAX_SAML_ASSERTION_CHARS = 100_000;

const ALLOWED_TRANSFORMS = new Set([
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
]);

export interface SignedAssertion {
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  issueInstant: Date;
  recipient: string;
  notOnOrAfter: Date;
  conditionsNotOnOrAfter: Date | undefined;
  sessionNotOnOrAfter: Date | undefined;
  audiences: string[];
  attributes: Map<string, string[]>;
}

export function invalidToken(message: string): AwsFault {
  return new AwsFault('InvalidIdentityToken', message, 400);
}

/** What the IAM SAML provider holds to read an assertion. */
export interface AssertionTrust {
  /** PEM certificates whose keys may sign the Response or the Assertion. */
  certs: readonly string[];
  /** PEM private keys for encrypted assertions (IAM AddPrivateKey); none: encrypted assertions are refused. */
  decryptionKeys?: readonly string[];
  /** IAM's AssertionEncryptionMode 'Required': refuse assertions sent in the clear. */
  requireEncryption?: boolean;
}

export async function readSignedAssertion(samlAssertion: string, trust: AssertionTrust): Promise<SignedAssertion> {
  if (samlAssertion.length > MAX_SAML_ASSERTION_CHARS) {
    throw new AwsFault(
      'ValidationError',
      "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length less than or equal to 100000",
    );
  }
  if (!/^[A-Za-z0-9+/=\s]+$/.test(samlAssertion)) throw invalidToken('Invalid SAML response: not base64');
  // xml-crypto re-parses the string it checks, so it must see exactly what we parsed (newlines normalized
  // as an XML processor would: https://github.com/node-saml/passport-saml/issues/431).
  const xml = normalizeNewlines(Buffer.from(samlAssertion, 'base64').toString('utf8'));
  const response = parseXml(xml).documentElement;
  if (!response || !isElement(response, NS.samlp, 'Response'))
    throw invalidToken('Invalid SAML response: no Response element');
  const encrypted = childElements(response, NS.saml, 'EncryptedAssertion');
  const assertions = childElements(response, NS.saml, 'Assertion');
  if (encrypted.length + assertions.length !== 1)
    throw invalidToken('Invalid SAML response: expected exactly one Assertion');
  if (encrypted.length > 0 && (trust.decryptionKeys ?? []).length === 0) {
    throw invalidToken(
      'Invalid SAML response: the assertion is encrypted and the SAML provider holds no private key to decrypt it',
    );
  }
  if (encrypted.length === 0 && trust.requireEncryption === true) {
    throw invalidToken('Invalid SAML response: the SAML provider requires encrypted assertions');
  }

  // A signed Response covers whatever it contains: read the assertion (or its ciphertext) from the signed bytes.
  const signedResponse = verifiedXml(xml, response, trust.certs);
  const signedRoot = signedResponse === undefined ? undefined : (parseXml(signedResponse).documentElement ?? undefined);
  const trusted =
    encrypted.length > 0
      ? await trustedDecryptedAssertion(signedRoot ?? response, signedRoot !== undefined, trust)
      : trustedPlainAssertion(xml, assertions, signedRoot, trust.certs);
  if (!trusted || !isElement(trusted, NS.saml, 'Assertion')) throw invalidToken('Response signature invalid');
  return readAssertion(trusted);
}

function trustedPlainAssertion(
  xml: string,
  assertions: Element[],
  signedRoot: Element | undefined,
  certs: readonly string[],
): Element | undefined {
  const assertion = assertions[0];
  if (assertion === undefined) return undefined;
  const signedAssertion = verifiedXml(xml, assertion, certs);
  if (signedAssertion !== undefined) return parseXml(signedAssertion).documentElement ?? undefined;
  const inner = signedRoot ? childElements(signedRoot, NS.saml, 'Assertion') : [];
  return inner.length === 1 ? inner[0] : undefined;
}

/**
 * Decrypts the EncryptedAssertion of `response` (the signed bytes when `responseSigned`); the plaintext
 * is trusted when its own signature verifies, or when the ciphertext came from a signed Response.
 */
async function trustedDecryptedAssertion(
  response: Element,
  responseSigned: boolean,
  trust: AssertionTrust,
): Promise<Element | undefined> {
  const encrypted = childElements(response, NS.saml, 'EncryptedAssertion');
  const only = encrypted[0];
  if (encrypted.length !== 1 || only === undefined) return undefined;
  const plain = await decryptAssertionXml(only, trust.decryptionKeys ?? []);
  if (plain === undefined)
    throw invalidToken(
      "Invalid SAML response: the encrypted assertion could not be decrypted with the SAML provider's private keys",
    );
  const xml = normalizeNewlines(plain);
  const assertion = parseXml(xml).documentElement;
  if (!assertion || !isElement(assertion, NS.saml, 'Assertion'))
    throw invalidToken('Invalid SAML response: the EncryptedAssertion holds no Assertion');
  const signedAssertion = verifiedXml(xml, assertion, trust.certs);
  if (signedAssertion !== undefined) return parseXml(signedAssertion).documentElement ?? undefined;
  return responseSigned ? assertion : undefined;
}

/**
 * The canonical XML that `element`'s own enveloped signature covers, `undefined` when it has no signature;
 * throws when a signature is present but does not verify against any trusted certificate.
 */
function verifiedXml(xml: string, element: Element, certs: readonly string[]): string | undefined {
  const signatures = childElements(element, NS.ds, 'Signature');
  const signature = signatures[0];
  if (signature === undefined) return undefined;
  if (signatures.length > 1) throw invalidToken('Response signature invalid');
  for (const cert of certs) {
    // No getCertFromKeyInfo: only the provider's certificates are trusted, never one the message carries.
    const sig = new SignedXml({ publicCert: cert });
    sig.loadSignature(signature);
    // Sanity checks on the unverified references (as node-saml does): one reference, to this element.
    // getReferences() is used only for that; the content we read comes from getSignedReferences().
    const references = sig.getReferences();
    const reference = references[0];
    if (references.length !== 1 || reference === undefined) throw invalidToken('Response signature invalid');
    const id = element.getAttribute('ID') ?? '';
    if (id === '' || reference.uri !== `#${id}` || countIds(element.ownerDocument, id) !== 1) {
      throw invalidToken('Response signature invalid');
    }
    if (
      reference.transforms.length > 2 ||
      reference.transforms.some((transform) => !ALLOWED_TRANSFORMS.has(transform))
    ) {
      throw invalidToken('Response signature invalid');
    }
    try {
      if (sig.checkSignature(xml)) {
        const signed = sig.getSignedReferences();
        if (signed.length === 1 && signed[0] !== undefined) return signed[0];
      }
    } catch {
      // checkSignature throws when the SignatureValue does not match this key; try the next certificate.
    }
  }
  throw invalidToken('Response signature invalid');
}

function readAssertion(assertion: Element): SignedAssertion {
  const issuer = text(childElements(assertion, NS.saml, 'Issuer')[0]);
  if (!issuer) throw invalidToken('Issuer not present in the assertion');
  const subject = only(assertion, NS.saml, 'Subject');
  const nameIdElement = childElements(subject, NS.saml, 'NameID')[0];
  const nameId = text(nameIdElement);
  if (!nameId) throw invalidToken('Subject NameID is required in AuthnResponse');
  const confirmation = only(subject, NS.saml, 'SubjectConfirmation');
  if (confirmation.getAttribute('Method') !== 'urn:oasis:names:tc:SAML:2.0:cm:bearer') {
    throw invalidToken('SubjectConfirmation Method must be bearer');
  }
  const data = only(confirmation, NS.saml, 'SubjectConfirmationData');
  const recipient = data.getAttribute('Recipient') ?? '';
  const notOnOrAfter = parseTime(data.getAttribute('NotOnOrAfter'));
  if (!recipient || !notOnOrAfter) {
    throw invalidToken('SubjectConfirmationData must include both NotOnOrAfter and Recipient');
  }
  const issueInstant = parseTime(assertion.getAttribute('IssueInstant'));
  if (!issueInstant) throw invalidToken('Assertion IssueInstant is missing or invalid');
  const conditions = childElements(assertion, NS.saml, 'Conditions')[0];
  const audiences = conditions
    ? childElements(conditions, NS.saml, 'AudienceRestriction').flatMap((restriction) =>
        childElements(restriction, NS.saml, 'Audience').map(text),
      )
    : [];
  const authn = childElements(assertion, NS.saml, 'AuthnStatement')[0];
  return {
    issuer,
    nameId,
    nameIdFormat: nameIdElement?.getAttribute('Format') ?? undefined,
    issueInstant,
    recipient,
    notOnOrAfter,
    conditionsNotOnOrAfter: parseTime(conditions?.getAttribute('NotOnOrAfter') ?? null),
    sessionNotOnOrAfter: parseTime(authn?.getAttribute('SessionNotOnOrAfter') ?? null),
    audiences,
    attributes: readAttributes(assertion),
  };
}

function readAttributes(assertion: Element): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS.saml, 'AttributeStatement')) {
    for (const attribute of childElements(statement, NS.saml, 'Attribute')) {
      const name = attribute.getAttribute('Name') ?? '';
      const values = childElements(attribute, NS.saml, 'AttributeValue').map(text);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return attributes;
}

function parseXml(xml: string): Document {
  // DTDs enable entity expansion and external references; SAML never needs one.
  if (/<!DOCTYPE/i.test(xml)) throw invalidToken('Invalid SAML response: DOCTYPE is not allowed');
  const fail = (): never => {
    throw invalidToken('Invalid SAML response: malformed XML');
  };
  return new DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(xml, 'text/xml');
}

function isElement(node: Node, namespace: string, localName: string): node is Element {
  return (
    node.nodeType === 1 && (node as Element).namespaceURI === namespace && (node as Element).localName === localName
  );
}

function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (isElement(node, namespace, localName)) found.push(node);
  }
  return found;
}

function only(parent: Element, namespace: string, localName: string): Element {
  const found = childElements(parent, namespace, localName);
  if (found.length !== 1 || found[0] === undefined)
    throw invalidToken(`There must be exactly one ${localName} element`);
  return found[0];
}

/** How many elements carry this value in an ID-like attribute: a duplicate ID enables signature wrapping. */
// Iterative: a deeply nested document must not overflow the stack.
function countIds(doc: Document, id: string): number {
  let count = 0;
  for (const element of Array.from(doc.getElementsByTagName('*'))) {
    for (const name of ['ID', 'Id', 'id']) if (element.getAttribute(name) === id) count += 1;
  }
  return count;
}

function normalizeNewlines(xml: string): string {
  return xml.replace(/\r\n?/g, '\n');
}

function text(element: Element | undefined): string {
  return element?.textContent?.trim() ?? '';
}

function parseTime(value: string | null): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
