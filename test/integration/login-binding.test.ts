// Login CSRF: on HTTPS a response to an SP-initiated sign-in is accepted only from the browser
// that started that sign-in.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import { aSamlResponse } from '../support/sign-response.ts';
import { buildBareApp } from '../support/app-harness.ts';
import { createFakeSts } from '../support/unit-fake-sts.ts';

const BASE = 'https://sso.example.com';
const ACS = `${BASE}/saml/acs/corp`;
/** Role sessions on the real clock, as STS gives them. */
const sts = createFakeSts({ now: () => new Date() });

// As deployed: the TLS proxy runs on this host, and supertest connects from loopback like it.
const build = () => buildBareApp({ baseUrl: BASE, server: { trustProxy: 'loopback' } }, { sts });

async function startLogin(app: Parameters<typeof request>[0], cookie = '') {
  const res = await request(app).get('/login/corp').set('x-forwarded-proto', 'https').set('cookie', cookie);
  const xml = inflateRawSync(
    Buffer.from(new URL(res.headers.location ?? '').searchParams.get('SAMLRequest') ?? '', 'base64'),
  ).toString('utf8');
  const setCookie = ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith('__Host-redshift-sso-login='));
  return { requestId: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '', setCookie, cookie: setCookie?.split(';')[0] ?? '' };
}

const post = (app: Parameters<typeof request>[0], samlResponse: string, cookie: string) =>
  request(app)
    .post('/saml/acs/corp')
    .set('x-forwarded-proto', 'https')
    .set('accept', 'application/json')
    .set('cookie', cookie)
    .type('form')
    .send({ SAMLResponse: samlResponse });

/** Posts alice's response to sign-in `requestId` with `cookie`; asserts the ACS signed her in. */
async function assertAccepted(app: Parameters<typeof request>[0], requestId: string, cookie: string) {
  const accepted = await post(
    app,
    aSamlResponse({ destination: ACS, recipient: ACS, inResponseTo: requestId }),
    cookie,
  );
  assert.equal(accepted.status, 303, JSON.stringify(accepted.body));
}

describe('login binding (HTTPS)', () => {
  it('sets a SameSite=None, Secure, HttpOnly __Host- cookie when a sign-in starts', async () => {
    const { app, close } = build();
    const { setCookie } = await startLogin(app);
    assert.match(setCookie ?? '', /;\s*Path=\//);
    assert.match(setCookie ?? '', /HttpOnly/);
    assert.match(setCookie ?? '', /Secure/);
    assert.match(setCookie ?? '', /SameSite=None/);
    await close();
  });

  it("refuses a response to someone else's sign-in (SAML_LOGIN_NOT_BOUND) and accepts it from the browser that started it", async () => {
    const { app, close } = build();
    const attacker = await startLogin(app);
    const victim = await startLogin(app);
    const forged = aSamlResponse({
      destination: ACS,
      recipient: ACS,
      inResponseTo: attacker.requestId,
      nameId: 'mallory@example.com',
    });
    const refused = await post(app, forged, victim.cookie);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'SAML_LOGIN_NOT_BOUND');

    const own = await startLogin(app);
    await assertAccepted(app, own.requestId, own.cookie);
    await close();
  });

  it('keeps sign-ins started in several tabs valid', async () => {
    const { app, close } = build();
    const first = await startLogin(app);
    const second = await startLogin(app, first.cookie);
    await assertAccepted(app, first.requestId, second.cookie);
    await close();
  });
});
