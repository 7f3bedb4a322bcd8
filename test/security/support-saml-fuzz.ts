// fast-check arbitraries for the ACS: SAMLResponse text from nothing (strings, bytes, XML-ish token
// soup, deep nesting) and from a valid signed response (byte flips, truncation, duplicated or
// removed elements, rewritten attribute values and text), plus hostile RelayState values.
import fc from 'fast-check';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** Values chosen to break parsers, templates and redirects. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '<script>alert(1)</script>',
  '"\'><img src=x onerror=alert(2)>',
  'javascript:alert(1)',
  'https://evil.example/',
  '//evil.example',
  '/\\evil.example',
  '/%2F%2Fevil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '&amp;&lt;&#0;&#x110000;',
  ']]><!--',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
  '\u0000\u0001\u001f\u007f',
  '\ud800',
  '\uffff\ufeff',
  '__proto__',
  'constructor',
  '%00%0d%0aSet-Cookie:x=y',
  'A'.repeat(5000),
  '😀'.repeat(300),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
);

/** RelayState values, hostile return paths included. */
export const relayState: fc.Arbitrary<string | undefined> = fc.option(
  fc.oneof(hostileString, fc.constantFrom('/', '/?role=x', '/credentials', '/api/me'), fc.webUrl()),
  { nil: undefined },
);

const XML_TOKENS = [
  `<samlp:Response xmlns:samlp="${PROTOCOL_NS}" xmlns:saml="${ASSERTION_NS}" ID="_r" Version="2.0">`,
  '</samlp:Response>',
  `<saml:Assertion xmlns:saml="${ASSERTION_NS}" ID="_a" Version="2.0">`,
  '</saml:Assertion>',
  '<saml:Issuer>https://idp.test.example/metadata</saml:Issuer>',
  '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>',
  '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:SignatureMethod Algorithm="x"/></ds:SignedInfo></ds:Signature>',
  '<saml:Subject><saml:NameID>x</saml:NameID></saml:Subject>',
  '<saml:Conditions NotBefore="x" NotOnOrAfter="9999-01-01T00:00:00Z"/>',
  '<saml:AttributeStatement><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>',
  '</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>',
  '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></saml:EncryptedAssertion>',
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">]>',
  '<!-- c -->',
  '<![CDATA[x]]>',
  '<?pi x?>',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x1F600;',
  '&undefined;',
  '<',
  '>',
  '</',
  '/>',
  '"',
  "'",
  '=',
  ' xmlns="" ',
  ' xmlns:saml="urn:other" ',
  ' Destination="http://127.0.0.1/saml/acs/test" ',
  ' ID="_dup" ID="_dup" ',
];

export const xmlish: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...XML_TOKENS) }, { weight: 1, arbitrary: hostileString }), {
    maxLength: 40,
  })
  .map((parts) => parts.join(''));

/** A SAML Response root (so the envelope checks pass) around token soup or deep nesting. */
export function responseShell(acsUrl: string): fc.Arbitrary<string> {
  const open = `<samlp:Response xmlns:samlp="${PROTOCOL_NS}" xmlns:saml="${ASSERTION_NS}" ID="_fz" Version="2.0" IssueInstant="2024-01-01T00:00:00Z" Destination="${acsUrl}">`;
  const nested = fc
    .record({
      depth: fc.integer({ min: 1, max: 20_000 }),
      tag: fc.constantFrom('saml:Assertion', 'a', 'samlp:Status', 'saml:Attribute'),
    })
    .map(({ depth, tag }) => `<${tag}>`.repeat(depth) + `</${tag}>`.repeat(depth));
  return fc.oneof(xmlish, nested).map((inner) => `${open}${inner}</samlp:Response>`);
}

export const ELEMENT_NAMES = [
  'Assertion',
  'Signature',
  'SignedInfo',
  'Reference',
  'DigestValue',
  'SignatureValue',
  'X509Certificate',
  'Issuer',
  'Status',
  'StatusCode',
  'Subject',
  'NameID',
  'SubjectConfirmation',
  'SubjectConfirmationData',
  'Conditions',
  'AudienceRestriction',
  'Audience',
  'AuthnStatement',
  'AttributeStatement',
  'Attribute',
  'AttributeValue',
] as const;

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; element: string; occurrence: number }
  | { kind: 'remove'; element: string; occurrence: number }
  | { kind: 'attribute'; index: number; value: string; raw: boolean }
  | { kind: 'text'; index: number; value: string; raw: boolean }
  | { kind: 'insert'; at: number; text: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    element: fc.constantFrom(...ELEMENT_NAMES),
    occurrence: fc.nat(3),
  }),
  fc.record({
    kind: fc.constant('remove' as const),
    element: fc.constantFrom(...ELEMENT_NAMES),
    occurrence: fc.nat(3),
  }),
  fc.record({ kind: fc.constant('attribute' as const), index: fc.nat(), value: hostileString, raw: fc.boolean() }),
  fc.record({ kind: fc.constant('text' as const), index: fc.nat(), value: hostileString, raw: fc.boolean() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(xmlish, hostileString) }),
);

export function applyMutations(xml: string, mutations: readonly Mutation[]): string {
  return mutations.reduce(applyMutation, xml);
}

function applyMutation(xml: string, m: Mutation): string {
  switch (m.kind) {
    case 'flip': {
      if (xml.length === 0) return xml;
      const at = m.at % xml.length;
      return xml.slice(0, at) + String.fromCharCode(xml.charCodeAt(at) ^ (1 << m.bit)) + xml.slice(at + 1);
    }
    case 'truncate':
      return xml.slice(0, m.at % (xml.length + 1));
    case 'duplicate': {
      const span = elementSpan(xml, m.element, m.occurrence);
      return span === undefined ? xml : xml.slice(0, span.end) + xml.slice(span.start, span.end) + xml.slice(span.end);
    }
    case 'remove': {
      const span = elementSpan(xml, m.element, m.occurrence);
      return span === undefined ? xml : xml.slice(0, span.start) + xml.slice(span.end);
    }
    case 'attribute':
      return replaceNth(xml, /(\s[\w:]+=")([^"]*)(")/g, m.index, m.raw ? m.value : escapeXml(m.value));
    case 'text':
      return replaceNth(xml, /(>)([^<]+)(<)/g, m.index, m.raw ? m.value : escapeXml(m.value));
    case 'insert': {
      const at = m.at % (xml.length + 1);
      return xml.slice(0, at) + m.text + xml.slice(at);
    }
  }
}

/** Start and end offsets of the nth element with this local name (any prefix), if it exists. */
function elementSpan(xml: string, localName: string, occurrence: number): { start: number; end: number } | undefined {
  const open = new RegExp(`<((?:[\\w-]+:)?${localName})(?=[\\s/>])`, 'g');
  const starts = [...xml.matchAll(open)];
  if (starts.length === 0) return undefined;
  const hit = starts[occurrence % starts.length];
  if (hit === undefined) return undefined;
  const start = hit.index;
  const qname = hit[1] ?? localName;
  const tagEnd = xml.indexOf('>', start);
  if (tagEnd < 0) return undefined;
  if (xml[tagEnd - 1] === '/') return { start, end: tagEnd + 1 };
  const close = xml.indexOf(`</${qname}>`, tagEnd);
  return close < 0 ? undefined : { start, end: close + qname.length + 3 };
}

function replaceNth(xml: string, pattern: RegExp, index: number, value: string): string {
  const hits = [...xml.matchAll(pattern)];
  if (hits.length === 0) return xml;
  const hit = hits[index % hits.length];
  if (hit === undefined) return xml;
  const [whole, before = '', , after = ''] = hit;
  return xml.slice(0, hit.index) + before + value + after + xml.slice(hit.index + whole.length);
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** How the XML travels: standard base64, wrapped at 76 columns, or after a BOM. */
export const encoding: fc.Arbitrary<'base64' | 'wrapped' | 'bom'> = fc.constantFrom('base64', 'wrapped', 'bom');

export function encodeXml(xml: string | Buffer, how: 'base64' | 'wrapped' | 'bom'): string {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const body = how === 'bom' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
  const b64 = body.toString('base64');
  return how === 'wrapped' ? (b64.match(/.{1,76}/g) ?? []).join('\r\n') : b64;
}
