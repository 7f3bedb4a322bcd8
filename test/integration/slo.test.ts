// Single Logout in both directions, with a node-saml instance playing the IdP's side.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { SAML } from '@node-saml/node-saml';
import request from 'supertest';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER } from '../support/sign-response.ts';
import { buildBareApp } from '../support/app-harness.ts';
import { createFakeSts } from '../support/unit-fake-sts.ts';

const BASE = 'http://sso.example.com';
const ACS = `${BASE}/saml/acs/corp`;
const SLO = `${BASE}/saml/slo/corp`;
const IDP_SLO = 'https://idp.example.com/slo';

/** Role sessions on the real clock, as STS gives them. */
const sts = createFakeSts({ now: () => new Date() });

const build = (idp: Record<string, unknown> = {}) =>
  buildBareApp({ baseUrl: BASE, idp: { sloUrl: IDP_SLO, allowIdpInitiated: true, ...idp } }, { sts });

/** The IdP's side of SLO: sends LogoutRequests/Responses by HTTP-Redirect to our SLO endpoint,
 *  signed with `privateKey` (none: unsigned) and `signatureAlgorithm`. */
function idpSide(
  signing: { privateKey?: string; signatureAlgorithm?: 'sha1' | 'sha256' } = {
    privateKey: fixtureKeys.idp.privateKey,
    signatureAlgorithm: 'sha256',
  },
): SAML {
  return new SAML({
    issuer: TEST_IDP_ISSUER,
    callbackUrl: 'https://idp.example.com/unused',
    entryPoint: SLO,
    logoutUrl: SLO,
    idpCert: fixtureKeys.sp.certificate,
    ...signing,
    wantAuthnResponseSigned: false,
  });
}

/** The path and query of the IdP's LogoutRequest for alice, as the Redirect binding sends it. */
async function logoutRequestPath(idp: SAML, sessionIndex?: string, relayState = ''): Promise<string> {
  const url = new URL(
    await idp.getLogoutUrlAsync(
      {
        issuer: TEST_IDP_ISSUER,
        nameID: 'alice@example.com',
        nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        ...(sessionIndex === undefined ? {} : { sessionIndex }),
      },
      relayState,
      {},
    ),
  );
  return `${url.pathname}${url.search}`;
}

async function signIn(agent: request.Agent) {
  const res = await agent
    .post('/saml/acs/corp')
    .type('form')
    .send({ SAMLResponse: aSamlResponse({ destination: ACS, recipient: ACS, sessionIndex: '_session-1' }) });
  assert.equal(res.status, 303, res.text);
  assert.equal((await agent.get('/api/me')).status, 200);
}

/** An app on the IdP entry (with overrides) and an agent signed in to it. */
async function signedIn(idp: Record<string, unknown> = {}) {
  const { app, store, close } = build(idp);
  const agent = request.agent(app);
  await signIn(agent);
  return { app, store, close, agent };
}

/** Signs in, then follows the LogoutRequest link `idp` makes (JSON errors); asserts a 401 with `code`. */
async function refusedLogout(idp: SAML, code: string) {
  const session = await signedIn();
  const res = await session.agent.get(await logoutRequestPath(idp)).set('accept', 'application/json');
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, code);
  return { ...session, res };
}

describe('Single Logout', () => {
  it('SP-initiated: ends the local session, then sends a LogoutRequest to the IdP', async () => {
    const { agent, close } = await signedIn();
    const home = await agent.get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1] ?? '';
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    assert.equal(out.status, 200);
    const href = /href="([^"]+)" data-auto-follow/.exec(out.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    const url = new URL(href);
    assert.equal(`${url.origin}${url.pathname}`, IDP_SLO);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    assert.match(xml, /<samlp:LogoutRequest/);
    assert.match(xml, /alice@example\.com/);
    assert.match(xml, /_session-1/);
    assert.equal((await agent.get('/api/me')).status, 401, 'local session ended before the IdP answers');
    await close();
  });

  it('IdP-initiated: a signed LogoutRequest ends the session and gets a LogoutResponse', async () => {
    const { agent, close } = await signedIn();
    const res = await agent.get(await logoutRequestPath(idpSide(), '_session-1', 'rs'));
    assert.equal(res.status, 302, res.text);
    const back = new URL(res.headers.location ?? '');
    assert.equal(`${back.origin}${back.pathname}`, IDP_SLO);
    const xml = inflateRawSync(Buffer.from(back.searchParams.get('SAMLResponse') ?? '', 'base64')).toString('utf8');
    assert.match(xml, /LogoutResponse/);
    assert.match(xml, /status:Success/);
    assert.equal((await agent.get('/api/me')).status, 401);
    await close();
  });

  it('refuses an unsigned Redirect-binding LogoutRequest by default, and audits the refusal', async () => {
    // Anyone who knows alice's NameID can build this link; it must not sign her out.
    const { agent, store, close } = await refusedLogout(idpSide({}), 'SAML_LOGOUT_UNSIGNED');
    assert.equal((await agent.get('/api/me')).status, 200, 'the session survives a refused logout');
    const refused = await store.queryAudit({ kind: 'logout_refused' });
    assert.equal(refused.length, 1);
    assert.equal(refused[0]?.code, 'SAML_LOGOUT_UNSIGNED');
    assert.equal(refused[0]?.outcome, 'refused');
    assert.equal(refused[0]?.idpId, 'corp');
    assert.equal(refused[0]?.nameId, 'alice@example.com', 'names the session the link was opened in');
    assert.deepEqual(await store.queryAudit({ kind: 'logout' }), [], 'no sign-out was recorded');
    await close();
  });

  it('accepts an unsigned Redirect-binding LogoutRequest only when the IdP entry sets wantLogoutSigned: false', async () => {
    const { agent, close } = await signedIn({ wantLogoutSigned: false });
    const res = await agent.get(await logoutRequestPath(idpSide({})));
    assert.equal(res.status, 302, res.text);
    assert.equal((await agent.get('/api/me')).status, 401);
    await close();
  });

  it('refuses a LogoutRequest signed by a key the IdP never published', async () => {
    const attacker = idpSide({ privateKey: fixtureKeys.attacker.privateKey, signatureAlgorithm: 'sha256' });
    const { agent, close } = await refusedLogout(attacker, 'SAML_SIGNATURE_INVALID');
    assert.equal((await agent.get('/api/me')).status, 200);
    await close();
  });

  it('refuses an RSA-SHA1 query signature unless the IdP entry allows SHA-1', async () => {
    const sha1 = idpSide({ privateKey: fixtureKeys.idp.privateKey, signatureAlgorithm: 'sha1' });
    const { res, close } = await refusedLogout(sha1, 'SAML_ALGORITHM_NOT_ALLOWED');
    assert.match(res.body.error.message, /SHA1/);
    await close();
  });

  it('refuses a deflate bomb in a Redirect-binding parameter at the inflate limit, without inflating it', async () => {
    const { app, close } = build();
    const bomb = deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 'a'), { level: 9 }).toString('base64');
    assert.ok(bomb.length < 12_000, 'the bomb fits in a URL (Node refuses headers over 16 kB)');
    const before = process.memoryUsage().rss;
    const res = await request(app)
      .get(`/saml/slo/corp?SAMLRequest=${encodeURIComponent(bomb)}`)
      .set('accept', 'application/json');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'SAML_MALFORMED');
    // Refused at the inflate limit (zlib's maxOutputLength stops at it), not after inflating 8 MB.
    assert.match(res.body.error.message, /at most \d+ bytes/);
    assert.ok(process.memoryUsage().rss - before < 32 * 1024 * 1024, 'memory stays bounded');
    await close();
  });
});
