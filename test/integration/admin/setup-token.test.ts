// The one-time setup token of a fresh install: it opens exactly one admin session (a second use,
// even a racing one, is refused), a restart while there is still no IdP hands out a new one, and
// saving the first IdP ends every setup-token session for good (the IdP then must make admins, so
// the first admin can sign in through it). Once an IdP exists the token is retired.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, type AppHarness, TEST_CLUSTER_IDENTIFIER } from '../../support/app-harness.ts';
import { explicitIdpFields, errorCode } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';

const CLUSTER = 'analytics';

describe('the setup token', () => {
  let h: AppHarness;
  let token: string;

  before(async () => {
    h = await startAppHarness({
      admin: true,
      clusters: [{ id: CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    });
    token = (await h.service.issueSetupToken()) ?? '';
    assert.ok(token.length >= 16);
  });
  after(() => h.close());

  async function tryToken(value: string, withCsrf = true): Promise<{ status: number; client: CookieClient }> {
    const client = h.newClient();
    const page = await client.get('/admin/setup');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const res = await client.postForm('/admin/setup', withCsrf ? { _csrf: csrf, token: value } : { token: value });
    return { status: res.status, client };
  }

  /** A restart while no IdP exists: the spent token is replaced by a new one. */
  async function restart(): Promise<string> {
    const next = await h.service.issueSetupToken();
    assert.ok(next !== undefined && next !== token, 'a new token');
    return next;
  }

  it('is issued once: a second start gets none while it is unused', async () => {
    assert.equal(await h.service.issueSetupToken(), undefined);
  });

  it('refuses a wrong token, and leaves that browser without admin rights', async () => {
    for (const wrong of [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'x'.repeat(32), '']) {
      const { status, client } = await tryToken(wrong);
      assert.equal(status, 403);
      assert.equal((await client.get('/admin')).status, 302, 'still anonymous');
    }
  });

  it('refuses the right token without the form’s CSRF token (and does not spend it)', async () => {
    assert.equal((await tryToken(token, false)).status, 403);
    assert.equal(await h.service.issueSetupToken(), undefined, 'still outstanding');
  });

  it('opens exactly one session: of two racing uses one wins, and a later use is refused', async () => {
    const results = await Promise.all([tryToken(token), tryToken(token)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [303, 403]);
    const winner = results.find((r) => r.status === 303)?.client as CookieClient;
    const loser = results.find((r) => r.status === 403)?.client as CookieClient;
    assert.equal((await winner.get('/admin')).status, 200);
    assert.equal((await loser.get('/admin')).status, 302, 'the loser has no admin session');
    assert.equal((await tryToken(token)).status, 403, 'spent');
    token = await restart();
  });

  it('lets a setup-token session sign out (there is no IdP to send a LogoutRequest to)', async () => {
    const { client } = await tryToken(token);
    assert.equal((await client.get('/admin')).status, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await client.get('/admin')).text())?.[1] ?? '';
    const out = await client.postForm('/logout', { _csrf: csrf });
    assert.equal(out.status, 303);
    assert.equal((await client.get('/admin')).status, 302, 'signed out');
    token = await restart();
  });

  it('ends every setup-token session when the first IdP is saved, and the token is retired', async () => {
    const earlier = (await tryToken(token)).client;
    token = await restart();
    const { client } = await tryToken(token);
    const form = await (await client.get('/admin/idps/new')).text();
    assert.match(form, /name="grantsAdmin" checked disabled/, 'the first IdP is shown as making admins');

    await h.saveFirstIdp(client, explicitIdpFields('first'));
    const refused = await earlier.get('/admin', { accept: 'application/json' });
    assert.equal(refused.status, 401, 'a setup-token session from before is over too');
    assert.equal(await errorCode(refused), 'SETUP_SESSION_ENDED');
    assert.equal((await earlier.get('/admin')).status, 302, 'and it was signed out');
    const audited = await h.service.store.queryAudit({ kind: 'session_refused' });
    assert.ok(
      audited.some((e) => e.code === 'SETUP_SESSION_ENDED' && e.idpId === 'setup-token'),
      'the refusal is audited',
    );

    assert.equal((await tryToken(token)).status, 403, 'refused once an IdP exists');
    assert.equal(await h.service.issueSetupToken(), undefined, 'and no new one is issued');
    const saved = (await h.service.store.listConnections('idp')).find((r) => r.id === 'first');
    assert.equal(saved?.entry.grantsAdmin, true, 'the first IdP may make admins');
    await h.signInAsAdmin(h.newClient(), 'first');
  });

  it('stays retired when the last IdP is removed again', async () => {
    // A token printed at first start (and kept in a terminal or a file) must not come back to life.
    const admin = h.newClient();
    await h.signInAsAdmin(admin, 'first');
    assert.equal((await h.post(admin, '/admin/idps/first/delete', {})).status, 303);
    assert.deepEqual(await h.service.store.listConnections('idp'), []);
    assert.equal((await tryToken(token)).status, 403, 'still refused after the IdP is removed again');
    assert.equal(await h.service.issueSetupToken(), undefined);
  });
});
