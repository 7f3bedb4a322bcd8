// The assertion consumer service's refusals end to end: real signed responses from the fixture
// IdP key, real node-saml validation, the real AWS SDK against the emulator. A refusal must name
// its stable code, never be a 500 or show a stack trace, set no session and never reach AWS STS.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  harnessForEachTest,
  startAppHarness,
  rolePair,
  SESSION_COOKIE,
  UNLISTED_ROLE_ARN,
  type AppHarness,
} from '../support/app-harness.ts';
import { assertAcsRefused, assertNoStackTrace } from '../support/app-assertions.ts';
import { aSamlResponseXml, fixtureKeys, AWS_ROLE, TEST_ROLE_ARN } from '../support/sign-response.ts';

const MINUTE = 60_000;

interface RefusalCase {
  name: string;
  status: number;
  code: string | string[];
  /** Posts the offending request. */
  post: (h: AppHarness) => Promise<Response>;
  /** Extra checks on the error message. */
  message?: RegExp;
}

const json = { json: true } as const;
const signedThen = (h: AppHarness, overrides: Parameters<AppHarness['validResponse']>[0]) => async () =>
  h.postAcs(await h.validResponse(overrides), json);

const refusals: RefusalCase[] = [
  {
    name: 'rejects a response whose signed assertion was altered after signing (NameID changed)',
    status: 401,
    code: 'SAML_SIGNATURE_INVALID',
    post: async (h) => {
      const xml = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo: await h.startLogin() });
      const tampered = xml.replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>');
      assert.notEqual(tampered, xml, 'the NameID was changed');
      return h.postAcs(Buffer.from(tampered, 'utf8').toString('base64'), json);
    },
  },
  {
    name: 'rejects a response whose Role attribute was altered after signing',
    status: 401,
    code: 'SAML_SIGNATURE_INVALID',
    post: async (h) => {
      const xml = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo: await h.startLogin() });
      const tampered = xml.replace(`${TEST_ROLE_ARN},`, 'arn:aws:iam::123456789012:role/Admin,');
      assert.notEqual(tampered, xml, 'the role was changed');
      return h.postAcs(Buffer.from(tampered, 'utf8').toString('base64'), json);
    },
  },
  {
    name: 'rejects an assertion signed by an unknown certificate',
    status: 401,
    code: 'SAML_SIGNATURE_INVALID',
    post: (h) => signedThen(h, { key: fixtureKeys.attacker })(),
  },
  {
    name: 'rejects a response where neither the assertion nor the response is signed',
    status: 401,
    code: 'SAML_SIGNATURE_INVALID',
    post: (h) => signedThen(h, { signAssertion: false, signResponse: false })(),
  },
  {
    name: 'rejects a response signed only at the Response level (assertions must be signed)',
    status: 401,
    code: 'SAML_SIGNATURE_INVALID',
    post: (h) => signedThen(h, { signAssertion: false, signResponse: true })(),
  },
  {
    name: 'rejects a signed response with a second, forged assertion inserted (signature wrapping)',
    status: 401,
    code: ['SAML_MULTIPLE_ASSERTIONS', 'SAML_SIGNATURE_INVALID'],
    post: async (h) => {
      const xml = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo: await h.startLogin() });
      const start = xml.indexOf('<saml:Assertion');
      const end = xml.indexOf('</saml:Assertion>') + '</saml:Assertion>'.length;
      const forged = xml
        .slice(start, end)
        .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')
        .replace(/ ID="[^"]+"/, ' ID="_forged0123456789abcdef"')
        .replace('>alice@example.com<', '>mallory@example.com<');
      return h.postAcs(Buffer.from(xml.slice(0, start) + forged + xml.slice(start), 'utf8').toString('base64'), json);
    },
  },
  {
    name: 'rejects an assertion meant for another audience',
    status: 401,
    code: 'SAML_AUDIENCE_MISMATCH',
    post: (h) => signedThen(h, { audiences: ['https://other-sp.example/saml/metadata'] })(),
  },
  {
    name: 'rejects an assertion whose Recipient is another ACS URL',
    status: 401,
    code: 'SAML_RECIPIENT_MISMATCH',
    post: async (h) => signedThen(h, { recipient: `${h.baseUrl}/saml/acs/other` })(),
  },
  {
    name: 'rejects a response whose Destination is another URL',
    status: 401,
    code: 'SAML_DESTINATION_MISMATCH',
    post: async (h) => signedThen(h, { destination: 'https://evil.example/saml/acs/test', recipient: h.acsUrl })(),
  },
  {
    name: 'rejects an expired assertion',
    status: 401,
    code: 'SAML_EXPIRED',
    post: async (h) => {
      const now = Date.now();
      return signedThen(h, {
        now: new Date(now - 10 * MINUTE),
        notOnOrAfter: new Date(now - 5 * MINUTE),
        subjectNotOnOrAfter: new Date(now - 5 * MINUTE),
      })();
    },
  },
  {
    name: 'rejects an assertion issued in the future (beyond the clock skew)',
    status: 401,
    code: 'SAML_NOT_YET_VALID',
    post: async (h) => signedThen(h, { now: new Date(Date.now() + 5 * MINUTE) })(),
  },
  {
    name: 'rejects an unsolicited response when IdP-initiated sign-in is off',
    status: 401,
    code: 'SAML_UNSOLICITED',
    post: (h) => signedThen(h, { inResponseTo: undefined })(),
  },
  {
    name: 'rejects a response to a request this service never sent',
    status: 401,
    code: 'SAML_IN_RESPONSE_TO_UNKNOWN',
    post: (h) => signedThen(h, { inResponseTo: '_4f2b9c1d0e8a7f6b5c4d3e2f1a0b9c8d7e6f5a4b' })(),
  },
  {
    name: "reports an IdP error status with the IdP's own message",
    status: 401,
    code: 'SAML_IDP_ERROR',
    message: /user locked/,
    post: (h) => signedThen(h, { status: { code: 'Responder', message: 'user locked' } })(),
  },
  {
    name: 'rejects a response issued by another IdP (issuer mismatch)',
    status: 401,
    code: 'SAML_ISSUER_MISMATCH',
    post: (h) => signedThen(h, { issuer: 'https://rogue-idp.example/metadata' })(),
  },
  {
    name: 'rejects an assertion without the Role attribute',
    status: 401,
    code: 'SAML_ATTRIBUTE_MISSING',
    message: /Role/,
    post: (h) => signedThen(h, { extraAttributes: { [AWS_ROLE]: undefined } })(),
  },
  {
    name: 'refuses a sign-in whose roles may use no cluster',
    status: 403,
    code: 'ROLE_NOT_PERMITTED',
    post: (h) => signedThen(h, { extraAttributes: { [AWS_ROLE]: rolePair(UNLISTED_ROLE_ARN) } })(),
  },
  {
    name: 'rejects base64 garbage',
    status: 400,
    code: 'SAML_MALFORMED',
    post: (h) => h.postAcs('%%% this is not base64 !!!', json),
  },
  {
    name: 'rejects base64 that is not XML',
    status: 400,
    code: 'SAML_MALFORMED',
    post: (h) => h.postAcs(Buffer.from('{"not":"xml"}').toString('base64'), json),
  },
  {
    name: 'rejects a response with a DOCTYPE (external entities)',
    status: 400,
    code: 'SAML_MALFORMED',
    post: async (h) => {
      const xml = aSamlResponseXml({ destination: h.acsUrl, recipient: h.acsUrl, inResponseTo: await h.startLogin() });
      const withDoctype = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>${xml.replace('>alice@example.com<', '>&e;<')}`;
      return h.postAcs(Buffer.from(withDoctype, 'utf8').toString('base64'), json);
    },
  },
  {
    name: 'rejects a post without SAMLResponse',
    status: 400,
    code: 'SAML_RESPONSE_MISSING',
    post: (h) => h.postAcs('', { json: true, omit: true, relayState: '/' }),
  },
  {
    name: 'answers 404 for an unknown IdP connection',
    status: 404,
    code: 'IDP_UNKNOWN',
    post: async (h) => h.postAcs(await h.validResponse(), { json: true, idp: 'nope' }),
  },
  {
    name: 'rejects a SAMLResponse of 120,000 characters as too large',
    status: 413,
    code: 'SAML_RESPONSE_TOO_LARGE',
    post: (h) => h.postAcs('A'.repeat(120_000), json),
  },
  {
    name: 'rejects a 200 kB SAMLResponse as too large',
    status: 413,
    code: ['SAML_RESPONSE_TOO_LARGE', 'REQUEST_TOO_LARGE'],
    post: (h) => h.postAcs('A'.repeat(200 * 1024), json),
  },
];

describe('POST /saml/acs/:idp', () => {
  let h: AppHarness;
  harnessForEachTest(async () => (h = await startAppHarness()));

  for (const c of refusals) {
    it(c.name, async () => {
      const error = await assertAcsRefused(h, () => c.post(h), c.status, c.code);
      if (c.message !== undefined) assert.match(error.message, c.message);
      assert.equal(h.client.cookie(SESSION_COOKIE), undefined, 'no session is started');
    });
  }

  it('refuses a second post of the same SP-initiated response', async () => {
    const response = await h.validResponse();
    assert.equal((await h.postAcs(response)).status, 303);
    const other = h.newClient();
    const mark = h.emulator.calls.length;
    const res = await other.postForm('/saml/acs/test', { SAMLResponse: response }, { accept: 'application/json' });
    const text = await res.text();
    assert.equal(res.status, 401, text);
    const code = (JSON.parse(text) as { error: { code: string } }).error.code;
    assert.ok(['SAML_REPLAYED', 'SAML_IN_RESPONSE_TO_UNKNOWN'].includes(code), code);
    assert.deepEqual(h.callsSince(mark), [], 'STS is not asked again');
  });

  it('renders refusals as an HTML page with the code and request ID for browsers', async () => {
    const res = await h.postAcs(await h.validResponse({ key: fixtureKeys.attacker }));
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId);
    assert.ok(html.includes('SAML_SIGNATURE_INVALID'), 'the page shows the code');
    assert.ok(html.includes(requestId), 'the page shows the request ID');
    assertNoStackTrace(html);
  });

  it("escapes the IdP's status message on the error page", async () => {
    const res = await h.postAcs(
      await h.validResponse({ status: { code: 'Responder', message: '<script>alert(1)</script>' } }),
    );
    assert.equal(res.status, 401);
    const html = await res.text();
    assert.ok(html.includes('SAML_IDP_ERROR'));
    assert.ok(!html.includes('<script>alert(1)</script>'), 'the IdP text is not markup');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the IdP text is shown escaped');
  });

  it('renders a malformed-input refusal as HTML with status 400', async () => {
    const res = await h.postAcs('not base64 at all!');
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.ok(html.includes('SAML_MALFORMED'));
    assert.ok(html.includes(res.headers.get('x-request-id') ?? '<none>'));
    assertNoStackTrace(html);
  });
});
