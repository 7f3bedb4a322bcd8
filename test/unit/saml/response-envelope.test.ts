// The unsigned envelope read before node-saml runs: Destination and Status, and an early
// SAML_MALFORMED (400) for anything that is not base64 of a well-formed SAML 2.0 Response.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionRejected } from '../../../src/errors.ts';
import { readResponseEnvelope } from '../../../src/saml/response-envelope.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const REQUESTER = 'urn:oasis:names:tc:SAML:2.0:status:Requester';
const ACS = 'https://sso.example.com/saml/acs/corp';
const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

function responseXml(
  options: { destination?: string; status?: string; statusMessage?: string; withStatus?: boolean } = {},
): string {
  const destination = options.destination === undefined ? '' : ` Destination="${options.destination}"`;
  const status =
    options.withStatus === false
      ? ''
      : `<samlp:Status><samlp:StatusCode Value="${options.status ?? SUCCESS}"/>${options.statusMessage === undefined ? '' : `<samlp:StatusMessage>${options.statusMessage}</samlp:StatusMessage>`}</samlp:Status>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2030-01-01T00:00:00Z"${destination}>` +
    `<saml:Issuer>https://idp.test.example/metadata</saml:Issuer>${status}` +
    `</samlp:Response>`
  );
}

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>' +
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><samlp:Status><samlp:StatusMessage>&lol3;</samlp:StatusMessage></samlp:Status></samlp:Response>';

describe('readResponseEnvelope', () => {
  const read: Array<{
    name: string;
    input: string;
    expected: { destination?: string; statusCode?: string; statusMessage?: string };
  }> = [
    {
      name: 'Destination and a Success status',
      input: b64(responseXml({ destination: ACS })),
      expected: { destination: ACS, statusCode: SUCCESS, statusMessage: undefined },
    },
    {
      name: 'a failure status with its message',
      input: b64(responseXml({ destination: ACS, status: REQUESTER, statusMessage: 'Access denied' })),
      expected: { destination: ACS, statusCode: REQUESTER, statusMessage: 'Access denied' },
    },
    {
      name: 'no Destination',
      input: b64(responseXml()),
      expected: { destination: undefined, statusCode: SUCCESS, statusMessage: undefined },
    },
    {
      name: 'no Status',
      input: b64(responseXml({ destination: ACS, withStatus: false })),
      expected: { destination: ACS, statusCode: undefined, statusMessage: undefined },
    },
    {
      name: 'base64 wrapped at 76 columns with CRLF',
      input: (b64(responseXml({ destination: ACS })).match(/.{1,76}/g) ?? []).join('\r\n'),
      expected: { destination: ACS, statusCode: SUCCESS, statusMessage: undefined },
    },
  ];
  for (const c of read) {
    it(`reads ${c.name}`, () => {
      const { destination, statusCode, statusMessage } = readResponseEnvelope(c.input);
      assert.deepEqual({ destination, statusCode, statusMessage }, c.expected);
    });
  }

  it('lists the signature and digest algorithms and the time windows as sent', () => {
    const xml = responseXml({ destination: ACS }).replace(
      '</samlp:Response>',
      '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>' +
        '<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>' +
        '<ds:Reference URI="#_r1"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/></ds:Reference>' +
        '</ds:SignedInfo></ds:Signature>' +
        '<saml:Assertion ID="_a1"><saml:Subject><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
        '<saml:SubjectConfirmationData NotOnOrAfter="2030-01-01T00:05:00Z" Recipient="x"/></saml:SubjectConfirmation></saml:Subject>' +
        '<saml:Conditions NotBefore="2030-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T00:10:00Z"/></saml:Assertion></samlp:Response>',
    );
    const envelope = readResponseEnvelope(b64(xml));
    assert.deepEqual([...envelope.algorithms].sort(), [
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
      'http://www.w3.org/2001/04/xmlenc#sha256',
    ]);
    assert.deepEqual(envelope.timeWindows, [
      { notBefore: Date.parse('2030-01-01T00:00:00Z'), notOnOrAfter: Date.parse('2030-01-01T00:10:00Z') },
      { notBefore: undefined, notOnOrAfter: Date.parse('2030-01-01T00:05:00Z') },
    ]);
  });

  const malformed: Array<{ name: string; input: string }> = [
    { name: 'raw XML instead of base64', input: responseXml() },
    { name: 'base64 with spaces and punctuation', input: 'PHNhbWxwOlJlc3Bvbn Nl!' },
    { name: 'an empty string', input: '' },
    { name: 'base64 of text that is not XML', input: b64('hello, this is not xml') },
    { name: 'base64 of unclosed XML', input: b64(responseXml().slice(0, -20)) },
    { name: 'a DOCTYPE with an entity expansion (billion laughs)', input: b64(BILLION_LAUGHS) },
    {
      name: 'a DOCTYPE with an external entity',
      input: b64(
        `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${responseXml().replace('<?xml version="1.0" encoding="UTF-8"?>', '')}`,
      ),
    },
    {
      name: 'an Assertion as the root',
      input: b64('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a"/>'),
    },
    {
      name: 'a LogoutResponse as the root',
      input: b64('<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_l"/>'),
    },
    { name: 'a Response in another namespace', input: b64('<Response xmlns="urn:oasis:names:tc:SAML:1.0:protocol"/>') },
    { name: 'a Response without namespace', input: b64('<Response Destination="x"/>') },
  ];
  const xinclude: Array<{ name: string; fragment: string }> = [
    {
      name: 'xi:include (2001 namespace)',
      fragment: '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    },
    {
      name: 'an include in the XInclude default namespace',
      fragment: '<include xmlns="http://www.w3.org/2001/XInclude" href="x"/>',
    },
    { name: 'xi:fallback alone', fragment: '<xi:fallback xmlns:xi="http://www.w3.org/2001/XInclude"/>' },
    {
      name: 'xi:include in the 2003 draft namespace',
      fragment: '<xi:include xmlns:xi="http://www.w3.org/2003/XInclude" href="x"/>',
    },
    {
      name: 'xi:include nested deep in an unknown element',
      fragment: '<e><f><g><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="x"/></g></f></e>',
    },
  ];
  for (const c of xinclude) {
    it(`refuses ${c.name} as SAML_XINCLUDE`, () => {
      const err = thrownBy(() =>
        readResponseEnvelope(
          b64(responseXml({ destination: ACS }).replace('<samlp:Status>', `${c.fragment}<samlp:Status>`)),
        ),
      );
      assert.ok(err instanceof AssertionRejected, String(err));
      assert.equal(err.code, 'SAML_XINCLUDE');
      assert.equal(err.status, 400);
    });
  }

  it('finds xi:include as the last element, after a deep subtree', () => {
    const nested = `${'<e>'.repeat(5000)}${'</e>'.repeat(5000)}`;
    const xml = responseXml({ destination: ACS }).replace(
      '</samlp:Response>',
      `${nested}<x><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="x"/></x></samlp:Response>`,
    );
    const err = thrownBy(() => readResponseEnvelope(b64(xml)));
    assert.ok(err instanceof AssertionRejected && err.code === 'SAML_XINCLUDE', String(err));
  });

  it('does not mistake an attribute or text naming the XInclude namespace for an element', () => {
    const xml = responseXml({ destination: ACS, statusMessage: 'http://www.w3.org/2001/XInclude' }).replace(
      '<samlp:Response ',
      '<samlp:Response xmlns:xi="http://www.w3.org/2001/XInclude" ',
    );
    assert.equal(readResponseEnvelope(b64(xml)).destination, ACS);
  });

  it('reads the Response IssueInstant as sent', () => {
    assert.equal(readResponseEnvelope(b64(responseXml())).issueInstant, '2030-01-01T00:00:00Z');
  });

  for (const c of malformed) {
    it(`refuses ${c.name} as SAML_MALFORMED`, () => {
      const err = thrownBy(() => readResponseEnvelope(c.input));
      assert.ok(err instanceof AssertionRejected, String(err));
      assert.equal(err.code, 'SAML_MALFORMED');
      assert.equal(err.status, 400);
    });
  }
});
