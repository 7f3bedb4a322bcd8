// Reads the unsigned envelope of a SAML Response (Destination, Status) before node-saml runs.
// Used only to refuse early and to explain refusals: nothing read here is ever trusted to accept.
import { AssertionRejected } from '../errors.ts';
import { NS, firstChild, parseXmlStrict } from './xml.ts';

export interface ResponseEnvelope {
  destination?: string;
  statusCode?: string;
  statusMessage?: string;
}

const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}[\r\n]*$/;

export function readResponseEnvelope(samlResponse: string): ResponseEnvelope {
  if (!BASE64.test(samlResponse)) throw malformed('The SAMLResponse is not base64.');
  let doc: Document;
  try {
    doc = parseXmlStrict(Buffer.from(samlResponse, 'base64').toString('utf8'));
  } catch {
    throw malformed('The SAMLResponse is not a well-formed XML document (DOCTYPE declarations are refused).');
  }
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.protocol || root.localName !== 'Response') throw malformed('The SAMLResponse is not a SAML 2.0 Response.');
  const status = firstChild(root, NS.protocol, 'Status');
  const statusCode = status === undefined ? undefined : firstChild(status, NS.protocol, 'StatusCode');
  const statusMessage = status === undefined ? undefined : firstChild(status, NS.protocol, 'StatusMessage');
  return {
    destination: root.hasAttribute('Destination') ? root.getAttribute('Destination') ?? undefined : undefined,
    statusCode: statusCode?.getAttribute('Value') ?? undefined,
    statusMessage: statusMessage?.textContent ?? undefined,
  };
}

function malformed(publicMessage: string): AssertionRejected {
  return new AssertionRejected({ code: 'SAML_MALFORMED', status: 400, publicMessage });
}
