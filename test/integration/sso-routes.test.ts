// Sign-in redirects and SP metadata: what the IdP receives from us.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createVerify, X509Certificate } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import type { RedshiftApi, StsApi } from '../../src/aws/ports.ts';
import { fixtureKeys, TEST_IDP_ISSUER } from '../support/sign-response.ts';
import { buildBareApp } from '../support/app-harness.ts';

const unusedSts: StsApi = { assumeRoleWithSaml: () => Promise.reject(new Error('not used')) };
const unusedRedshift = {} as RedshiftApi;

function appWith(extra: { idps?: unknown[]; sp?: Record<string, unknown> } = {}) {
  const idp = { name: 'Corp', ssoUrl: 'https://idp.example.com/sso?tenant=1' };
  const options = {
    baseUrl: 'https://sso.example.com',
    server: { trustProxy: 'loopback' },
    sp: extra.sp ?? {},
    idp,
    ...(extra.idps === undefined ? {} : { idps: extra.idps }),
  };
  return buildBareApp(options, { sts: unusedSts, redshift: unusedRedshift });
}

function authnRequestOf(location: string): { url: URL; xml: string } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
  return { url, xml };
}

describe('GET /login', () => {
  it('redirects straight to the only IdP, keeping a safe return path', async () => {
    const { app, close } = appWith();
    const res = await request(app).get('/login?returnTo=%2Freports%3Fx%3D1');
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/login/corp?returnTo=%2Freports%3Fx%3D1');
    await close();
  });

  it('shows a chooser when several IdPs exist', async () => {
    const { app, close } = appWith({
      idps: [
        {
          id: 'corp',
          name: 'Corp SSO',
          entityId: TEST_IDP_ISSUER,
          ssoUrl: 'https://idp.example.com/sso',
          certs: [fixtureKeys.idp.certificate],
        },
        {
          id: 'partner',
          name: 'Partner <IdP>',
          entityId: 'https://partner.example.com',
          ssoUrl: 'https://partner.example.com/sso',
          certs: [fixtureKeys.idpNext.certificate],
        },
      ],
    });
    const res = await request(app).get('/login');
    assert.equal(res.status, 200);
    assert.match(res.text, /href="\/login\/corp"/);
    assert.match(res.text, /Partner &lt;IdP&gt;/);
    await close();
  });
});

describe('GET /login/:idp', () => {
  it('sends an AuthnRequest by HTTP-Redirect and remembers its ID in the store', async () => {
    const { app, store, close } = appWith();
    const res = await request(app).get('/login/corp?returnTo=/x');
    assert.equal(res.status, 302);
    const { url, xml } = authnRequestOf(res.headers.location ?? '');
    assert.equal(`${url.origin}${url.pathname}`, 'https://idp.example.com/sso');
    assert.equal(url.searchParams.get('tenant'), '1', 'query of the SSO URL kept');
    assert.equal(url.searchParams.get('RelayState'), '/x');
    assert.equal(url.searchParams.get('Signature'), null, 'unsigned without sp.signingKey');
    assert.match(xml, /AssertionConsumerServiceURL="https:\/\/sso\.example\.com\/saml\/acs\/corp"/);
    assert.match(xml, /<saml:Issuer[^>]*>https:\/\/sso\.example\.com\/saml\/metadata</);
    const id = /\bID="([^"]+)"/.exec(xml)?.[1] ?? '';
    assert.notEqual(await store.getRequestId(`corp:${id}`, new Date()), null, 'request ID stored for InResponseTo');
    await close();
  });

  it('signs the AuthnRequest with RSA-SHA256 when sp.signingKey is set', async () => {
    const { app, close } = appWith({
      sp: { signingKey: fixtureKeys.sp.privateKey, signingCert: fixtureKeys.sp.certificate },
    });
    const res = await request(app).get('/login/corp');
    const url = new URL(res.headers.location ?? '');
    assert.equal(url.searchParams.get('SigAlg'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    // Redirect binding: the signature covers the raw query in this order.
    const raw = (url.search.slice(1).split('&') ?? [])
      .filter((p) => /^(SAMLRequest|RelayState|SigAlg)=/.test(p))
      .join('&');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(raw);
    assert.ok(
      verifier.verify(
        new X509Certificate(fixtureKeys.sp.certificate).publicKey,
        url.searchParams.get('Signature') ?? '',
        'base64',
      ),
    );
    await close();
  });

  it('answers 404 IDP_UNKNOWN for an unknown connection', async () => {
    const { app, close } = appWith();
    const res = await request(app).get('/login/nope').set('accept', 'application/json');
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'IDP_UNKNOWN');
    await close();
  });
});

describe('GET /saml/metadata/:idp', () => {
  it('publishes the entity ID, the ACS URL and the signing and encryption certificates when set', async () => {
    const { app, close } = appWith({
      sp: {
        signingKey: fixtureKeys.sp.privateKey,
        signingCert: fixtureKeys.sp.certificate,
        decryptionKey: fixtureKeys.sp.privateKey,
        decryptionCert: fixtureKeys.sp.certificate,
      },
    });
    const res = await request(app).get('/saml/metadata/corp');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /samlmetadata\+xml/);
    assert.match(res.text, /entityID="https:\/\/sso\.example\.com\/saml\/metadata"/);
    assert.match(res.text, /Location="https:\/\/sso\.example\.com\/saml\/acs\/corp"/);
    assert.match(res.text, /AuthnRequestsSigned="true"/);
    assert.match(res.text, /<KeyDescriptor use="signing">/);
    assert.match(res.text, /<KeyDescriptor use="encryption">/);
    await close();
  });
});

describe('security headers', () => {
  it('sets a strict CSP without unsafe-inline, forbids framing and sends HSTS behind HTTPS', async () => {
    const { app, close } = appWith();
    const res = await request(app).get('/');
    const csp = res.headers['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(res.headers['strict-transport-security'] ?? '', /max-age=/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    await close();
  });
});

describe('GET /readyz', () => {
  it('is ready while the store answers, and 503 once it does not', async () => {
    const { app, store, close } = appWith();
    assert.equal((await request(app).get('/readyz')).status, 200);
    await store.close();
    const res = await request(app).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'not ready');
    await close().catch(() => undefined);
  });
});
