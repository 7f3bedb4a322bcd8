// Reads the unsigned envelope of a SAML Response (Destination, Status, the signature algorithms
// used, the time windows) before node-saml runs. Used only to refuse early and to explain
// refusals: nothing read here is ever trusted to accept a response. XInclude elements anywhere
// are refused here, before any other code sees the document.
import { AssertionRejected } from '../errors.ts';
import { NS, childElements, firstChild, parseXmlStrict } from './xml.ts';

export interface TimeWindow {
  notBefore?: number;
  notOnOrAfter?: number;
}

export interface ResponseEnvelope {
  destination?: string;
  /** The Response's IssueInstant, as sent (it may be outside any signature). */
  issueInstant?: string;
  inResponseTo?: string;
  /** The Response's own Issuer, when present (it is optional; the assertion's is not). */
  issuer?: string;
  statusCode?: string;
  statusMessage?: string;
  /** The SignatureMethod and DigestMethod algorithm URIs of every signature in the document. */
  algorithms: string[];
  /** Conditions and SubjectConfirmationData windows of the assertion(s), as sent. */
  timeWindows: TimeWindow[];
  /** The EncryptedAssertion element as XML, when the assertion is encrypted. */
  encryptedAssertion?: string;
}

// Line breaks are removed before the test: a pattern that allowed them in two places backtracked
// quadratically on a long run of CRs (seconds of blocked event loop per request).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function readResponseEnvelope(samlResponse: string): ResponseEnvelope {
  if (!BASE64.test(samlResponse.replace(/[\r\n]/g, ''))) throw malformed('The SAMLResponse is not base64.');
  let doc: Document;
  try {
    doc = parseXmlStrict(Buffer.from(samlResponse, 'base64').toString('utf8'));
  } catch {
    throw malformed('The SAMLResponse is not a well-formed XML document (DOCTYPE declarations are refused).');
  }
  refuseXInclude(doc);
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response')
    throw malformed('The SAMLResponse is not a SAML 2.0 Response.');
  const status = firstChild(root, NS.protocol, 'Status');
  const statusCode = status === undefined ? undefined : firstChild(status, NS.protocol, 'StatusCode');
  const statusMessage = status === undefined ? undefined : firstChild(status, NS.protocol, 'StatusMessage');
  return {
    destination: root.hasAttribute('Destination') ? (root.getAttribute('Destination') ?? undefined) : undefined,
    issueInstant: root.hasAttribute('IssueInstant') ? (root.getAttribute('IssueInstant') ?? undefined) : undefined,
    inResponseTo: root.hasAttribute('InResponseTo') ? (root.getAttribute('InResponseTo') ?? undefined) : undefined,
    issuer: firstChild(root, NS.assertion, 'Issuer')?.textContent?.trim() ?? undefined,
    statusCode: statusCode?.getAttribute('Value') ?? undefined,
    statusMessage: statusMessage?.textContent ?? undefined,
    algorithms: signedInfoAlgorithms(doc),
    encryptedAssertion: encryptedAssertionOf(root),
    timeWindows: ['Conditions', 'SubjectConfirmationData'].flatMap((name) =>
      Array.from(doc.getElementsByTagNameNS(NS.assertion, name)).map((el) => ({
        notBefore: parseTime(el.getAttribute('NotBefore')),
        notOnOrAfter: parseTime(el.getAttribute('NotOnOrAfter')),
      })),
    ),
  };
}

// The 2003 namespace is an XInclude draft's; libxml2 processes both.
const XINCLUDE_NAMESPACES = ['http://www.w3.org/2001/XInclude', 'http://www.w3.org/2003/XInclude'];

/**
 * No SAML message has a reason to carry XInclude, and a parser that processes it would read
 * files or URLs into the document (possibly into what a signature covers, or what STS reads).
 */
export function refuseXInclude(doc: Document): void {
  // One iterative walk over every element: deep nesting costs no recursion.
  for (let node: Node | null = doc.documentElement; node !== null; node = nextInDocument(node)) {
    if (node.nodeType === 1 && XINCLUDE_NAMESPACES.includes((node as Element).namespaceURI ?? '')) {
      throw new AssertionRejected({
        code: 'SAML_XINCLUDE',
        status: 400,
        publicMessage: 'The SAMLResponse contains XInclude elements, which are refused.',
      });
    }
  }
}

function nextInDocument(node: Node): Node | null {
  if (node.firstChild !== null) return node.firstChild;
  for (let at: Node | null = node; at !== null; at = at.parentNode) {
    if (at.nextSibling !== null) return at.nextSibling;
  }
  return null;
}

/**
 * Algorithms of XML signatures only (ds:Signature/ds:SignedInfo): an EncryptedKey also carries a
 * ds:DigestMethod (the OAEP digest, often SHA-1), which says nothing about the signature.
 */
export function signedInfoAlgorithms(doc: Document): string[] {
  return Array.from(doc.getElementsByTagNameNS(NS.dsig, 'Signature')).flatMap((signature) => {
    const signedInfo = firstChild(signature, NS.dsig, 'SignedInfo');
    if (signedInfo === undefined) return [];
    const method = firstChild(signedInfo, NS.dsig, 'SignatureMethod')?.getAttribute('Algorithm') ?? '';
    const digests = childElements(signedInfo, NS.dsig, 'Reference').map(
      (ref) => firstChild(ref, NS.dsig, 'DigestMethod')?.getAttribute('Algorithm') ?? '',
    );
    return [method, ...digests];
  });
}

function encryptedAssertionOf(root: Element): string | undefined {
  const encrypted = firstChild(root, NS.assertion, 'EncryptedAssertion');
  return encrypted === undefined ? undefined : encrypted.toString();
}

/** Which side of its window `now` falls on, for a clearer refusal than "no valid subject confirmation". */
export function clockProblem(
  windows: readonly TimeWindow[],
  now: number,
  skewMs: number,
): 'expired' | 'early' | undefined {
  if (windows.some((w) => w.notOnOrAfter !== undefined && now >= w.notOnOrAfter + skewMs)) return 'expired';
  if (windows.some((w) => w.notBefore !== undefined && now < w.notBefore - skewMs)) return 'early';
  return undefined;
}

function parseTime(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

function malformed(publicMessage: string): AssertionRejected {
  return new AssertionRejected({ code: 'SAML_MALFORMED', status: 400, publicMessage });
}
