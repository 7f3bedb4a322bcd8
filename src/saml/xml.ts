// Strict XML parsing for everything SAML we read ourselves: no DOCTYPE (no entity expansion or
// XXE), parser warnings are errors, and namespace constants in one place.
import { DOMParser } from '@xmldom/xmldom';

export const NS = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const;

export class XmlParseError extends Error {}

export function parseXmlStrict(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) throw new XmlParseError('DOCTYPE is not allowed');
  const fail = (msg: string): never => {
    throw new XmlParseError(msg.split('\n')[0] ?? 'malformed XML');
  };
  const doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
    xml,
    'text/xml',
  );
  if (doc.documentElement === null || doc.documentElement === undefined) throw new XmlParseError('no document element');
  return doc as unknown as Document;
}

export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName)
      out.push(n as Element);
  }
  return out;
}

export function firstChild(parent: Element, ns: string, localName: string): Element | undefined {
  return childElements(parent, ns, localName)[0];
}
