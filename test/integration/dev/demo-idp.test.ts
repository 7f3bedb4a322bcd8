// The demo IdP router end to end: a real AuthnRequest from node-saml in, a signed response that
// node-saml accepts out, and the refusals that keep a demo IdP from posting anywhere it is told.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import { createDemoIdpRouter, DEMO_USERS, type DemoIdpOptions } from '../../../src/dev/demo-idp.ts';
import { fixtureKeys } from '../../support/sign-response.ts';

const BASE = 'https://sso.test.example';
const SP_ENTITY_ID = `${BASE}/saml/metadata/demo`;
const ACS = `${BASE}/saml/acs/demo`;
const IDP_ENTITY_ID = `${BASE}/dev/idp/metadata`;
const ROLE = 'https://aws.amazon.com/SAML/Attributes/Role';
const SESSION_NAME = 'https://aws.amazon.com/SAML/Attributes/RoleSessionName';
const DB_GROUPS = 'https://redshift.amazon.com/SAML/Attributes/DbGroups';

function demoApp(overrides: Partial<DemoIdpOptions> = {}) {
  const app = express();
  app.use(
    '/dev/idp',
    createDemoIdpRouter({
      entityId: IDP_ENTITY_ID,
      ssoUrl: `${BASE}/dev/idp/sso`,
      key: fixtureKeys.idp,
      users: DEMO_USERS,
      audiences: ['urn:amazon:webservices'],
      acsUrl: (issuer) => {
        if (issuer !== SP_ENTITY_ID) throw new Error(`unknown SP ${issuer}`);
        return ACS;
      },
      defaultAcsUrl: ACS,
      idpInitiatedAcsUrl: `${BASE}/saml/acs/demo?idp-initiated`,
      ...overrides,
    }),
  );
  app.use((error: { status?: number; code?: string }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ code: error.code });
  });
  return app;
}

function sp(overrides: Partial<SamlConfig> = {}): SAML {
  return new SAML({
    entryPoint: `${BASE}/dev/idp/sso`,
    issuer: SP_ENTITY_ID,
    callbackUrl: ACS,
    idpCert: fixtureKeys.idp.certificate,
    idpIssuer: IDP_ENTITY_ID,
    audience: 'urn:amazon:webservices',
    validateInResponseTo: 'always' as SamlConfig['validateInResponseTo'],
    ...overrides,
  });
}

/** The path and query of the redirect node-saml would send the browser on. */
async function authnRequestPath(saml: SAML, relayState = 'relay-123'): Promise<string> {
  const url = new URL(await saml.getAuthorizeUrlAsync(relayState, undefined, {}));
  return `${url.pathname}${url.search}`;
}

function field(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  assert.ok(value, `expected a ${name} field`);
  return value;
}

async function signIn(app: express.Express, userId: string, saml = sp()) {
  const picker = await request(app)
    .get(await authnRequestPath(saml))
    .expect(200);
  const posted = await request(app)
    .post('/dev/idp/sso')
    .type('form')
    .send({ token: field(picker.text, 'token'), userId })
    .expect(200);
  return {
    picker: picker.text,
    page: posted.text,
    samlResponse: field(posted.text, 'SAMLResponse'),
    headers: posted.headers,
  };
}

describe('demo IdP', () => {
  it('answers an AuthnRequest with a signed response the SP accepts', async () => {
    const saml = sp();
    const { page, samlResponse, headers } = await signIn(demoApp(), 'alice', saml);
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    assert.ok(profile);
    assert.equal(profile.nameID, 'alice@example.com');
    assert.equal(
      profile[ROLE],
      'arn:aws:iam::123456789012:role/RedshiftAnalyst,arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo',
    );
    assert.equal(profile[SESSION_NAME], 'alice');
    assert.equal(profile[DB_GROUPS], 'analysts');
    assert.match(page, new RegExp(`<form method="post" action="${ACS}" data-auto-submit>`));
    assert.equal(field(page, 'RelayState'), 'relay-123');
    assert.equal(headers['cache-control'], 'no-store');
  });

  it('echoes the request ID in InResponseTo and sets Destination and Recipient to the ACS', async () => {
    const saml = sp();
    const path = await authnRequestPath(saml);
    const requestXml = inflateSamlRequest(new URL(path, BASE).searchParams.get('SAMLRequest') ?? '');
    const requestId = /ID="([^"]+)"/.exec(requestXml)?.[1];
    assert.ok(requestId);
    const app = demoApp();
    const picker = await request(app).get(path).expect(200);
    const posted = await request(app)
      .post('/dev/idp/sso')
      .type('form')
      .send({ token: field(picker.text, 'token'), userId: 'alice' })
      .expect(200);
    const xml = Buffer.from(field(posted.text, 'SAMLResponse'), 'base64').toString('utf8');
    assert.match(xml, new RegExp(`<samlp:Response [^>]*Destination="${ACS}" InResponseTo="${requestId}"`));
    assert.match(xml, new RegExp(`Recipient="${ACS}" InResponseTo="${requestId}"`));
  });

  it('sends one Role value per role and every DB group', async () => {
    const saml = sp();
    const { samlResponse } = await signIn(demoApp(), 'bob', saml);
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    assert.ok(profile);
    assert.deepEqual(profile[ROLE], [
      'arn:aws:iam::123456789012:role/RedshiftAnalyst,arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo',
      'arn:aws:iam::123456789012:role/RedshiftAdmin,arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo',
    ]);
    assert.deepEqual(profile[DB_GROUPS], ['analysts', 'admins']);
  });

  it('refuses an AuthnRequest whose ACS URL is not the configured one', async () => {
    const path = await authnRequestPath(sp({ callbackUrl: 'https://attacker.example/acs' }));
    const res = await request(demoApp()).get(path).expect(400);
    assert.equal(res.body.code, 'DEMO_IDP_ACS_MISMATCH');
  });

  it('refuses an AuthnRequest from an unknown SP', async () => {
    const path = await authnRequestPath(sp({ issuer: 'https://other-sp.example' }));
    const res = await request(demoApp()).get(path).expect(400);
    assert.equal(res.body.code, 'DEMO_IDP_UNKNOWN_SP');
  });

  it('refuses a request that inflates past 100 kB, or is not an AuthnRequest', async () => {
    const app = demoApp();
    const bomb = deflateRawSync(Buffer.alloc(200 * 1024, ' ')).toString('base64');
    await request(app).get('/dev/idp/sso').query({ SAMLRequest: bomb }).expect(400);
    const notSaml = deflateRawSync(Buffer.from('<foo ID="_1"/>')).toString('base64');
    await request(app).get('/dev/idp/sso').query({ SAMLRequest: notSaml }).expect(400);
    await request(app).get('/dev/idp/sso').expect(400);
  });

  it('accepts each picker token once', async () => {
    const app = demoApp();
    const picker = await request(app)
      .get(await authnRequestPath(sp()))
      .expect(200);
    const token = field(picker.text, 'token');
    await request(app).post('/dev/idp/sso').type('form').send({ token, userId: 'alice' }).expect(200);
    const reused = await request(app).post('/dev/idp/sso').type('form').send({ token, userId: 'alice' }).expect(400);
    assert.equal(reused.body.code, 'DEMO_IDP_UNKNOWN_REQUEST');
  });

  it('expires picker tokens after five minutes', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const app = demoApp({ now: () => now });
    const picker = await request(app)
      .get(await authnRequestPath(sp()))
      .expect(200);
    now = new Date('2030-01-01T00:05:00Z');
    await request(app)
      .post('/dev/idp/sso')
      .type('form')
      .send({ token: field(picker.text, 'token'), userId: 'alice' })
      .expect(400);
  });

  it('refuses an unknown user', async () => {
    const app = demoApp();
    const picker = await request(app)
      .get(await authnRequestPath(sp()))
      .expect(200);
    const res = await request(app)
      .post('/dev/idp/sso')
      .type('form')
      .send({ token: field(picker.text, 'token'), userId: 'mallory' })
      .expect(400);
    assert.equal(res.body.code, 'DEMO_IDP_UNKNOWN_USER');
  });

  it('signs IdP-initiated responses without InResponseTo, to the IdP-initiated ACS', async () => {
    const app = demoApp();
    const picker = await request(app).get('/dev/idp/initiate').expect(200);
    const posted = await request(app)
      .post('/dev/idp/sso')
      .type('form')
      .send({ token: field(picker.text, 'token'), userId: 'bob' })
      .expect(200);
    assert.match(posted.text, /action="https:\/\/sso\.test\.example\/saml\/acs\/demo\?idp-initiated"/);
    const saml = sp({ validateInResponseTo: 'never' as SamlConfig['validateInResponseTo'] });
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: field(posted.text, 'SAMLResponse') });
    assert.ok(profile);
    assert.doesNotMatch(Buffer.from(field(posted.text, 'SAMLResponse'), 'base64').toString(), /InResponseTo/);
  });

  it('renders pages with a demo banner and no inline script or style', async () => {
    const { picker, page } = await signIn(demoApp(), 'alice');
    for (const html of [picker, page]) {
      assert.match(html, /DEMO IdP — not for production/);
      assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script has a src');
      assert.doesNotMatch(html, /<script[^>]*>[^<]+<\/script>/, 'no script has a body');
      assert.doesNotMatch(html, /\sstyle=|<style|\son[a-z]+=/i);
    }
    assert.match(page, /<script src="\/static\/auto-submit\.js"><\/script>/);
  });

  it('publishes metadata with the signing certificate and the redirect SSO endpoint', async () => {
    const res = await request(demoApp())
      .get('/dev/idp/metadata')
      .expect(200)
      .expect('content-type', /samlmetadata\+xml/);
    const certBody = fixtureKeys.idp.certificate.replace(/-----[A-Z ]+-----|\s/g, '');
    assert.match(res.text, new RegExp(`entityID="${IDP_ENTITY_ID}"`));
    assert.ok(res.text.includes(`<ds:X509Certificate>${certBody}</ds:X509Certificate>`));
    assert.match(
      res.text,
      /<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https:\/\/sso\.test\.example\/dev\/idp\/sso"\/>/,
    );
  });
});

function inflateSamlRequest(samlRequest: string): string {
  return inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
}
