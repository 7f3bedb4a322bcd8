// Admin rights are re-checked on every admin request, and every session has an absolute lifetime.
// An admin signed in through a console IdP is refused on every admin route (walked from the route
// table, GET and POST with a valid CSRF token) once that IdP may no longer make admins (403), is
// disabled (401) or is removed (401); nothing changes, and each refusal is audited. A session kept
// busy is refused once its lifetime from sign-in is over, even when used a second before (the
// service's clock is injected); neither its stored expiry nor its cookie reaches past its end.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminFormFields, adminRouteTable, concreteAdminUrl } from '../../support/admin-routes.ts';
import {
  startAppHarness,
  type AppHarness,
  type AppHarnessOptions,
  SESSION_COOKIE,
  TEST_CLUSTER_IDENTIFIER,
} from '../../support/app-harness.ts';
import { clusterFields, errorCode, explicitIdpFields, fileIdpEntry, ADMIN_GROUP } from '../../support/admin-forms.ts';
import { connectionsSnapshot as snapshotOf } from '../../support/admin-pages.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { sessionIdOf } from '../../support/session-inspect.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';

const FILE_IDP = 'test';
const FILE_CLUSTER = 'analytics';
const CONSOLE_IDP = 'corp';
const CONSOLE_CLUSTER = 'scratch';
/** The settings form as a refused admin would post it to switch the IdP back on. */
const REENABLE = { settingsForm: '1', enabled: 'on', grantsAdmin: 'on', wantAssertionsSigned: 'on' };

/** The configuration file's IdP and cluster, with further harness options. */
const fileConfig = (options: AppHarnessOptions = {}): AppHarnessOptions => ({
  admin: true,
  idps: [fileIdpEntry(FILE_IDP)],
  clusters: [{ id: FILE_CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
  ...options,
});

describe('admin sessions whose IdP changed after sign-in', () => {
  let h: AppHarness;
  let fileAdmin: CookieClient;
  let corpAdmin: CookieClient;

  before(async () => {
    h = await startAppHarness(fileConfig());
    fileAdmin = h.newClient();
    await h.signInAsAdmin(fileAdmin, FILE_IDP);
    assert.equal(
      (await h.post(fileAdmin, '/admin/idps', { ...explicitIdpFields(CONSOLE_IDP), grantsAdmin: 'on' })).status,
      303,
    );
    assert.equal((await h.post(fileAdmin, '/admin/clusters', clusterFields(CONSOLE_CLUSTER))).status, 303);
    corpAdmin = h.newClient();
    await h.signInAsAdmin(corpAdmin, CONSOLE_IDP, { nameId: 'carol@example.com' });
  });
  after(() => h.close());

  async function setIdp(fields: Record<string, string>): Promise<void> {
    const res = await h.post(fileAdmin, `/admin/idps/${CONSOLE_IDP}/settings`, {
      settingsForm: '1',
      wantAssertionsSigned: 'on',
      ...fields,
    });
    assert.equal(res.status, 303, await res.text());
  }

  /** Walks every admin route as corpAdmin; each must be refused with `status` and `code`, changing nothing. */
  async function assertRefusedEverywhere(status: number, code: string): Promise<void> {
    const before = await snapshotOf(h);
    const audited = (await h.service.store.queryAudit({ kind: 'session_refused', limit: 10_000 })).length;
    const csrf = await h.csrf(corpAdmin);
    const routes = adminRouteTable(h.service.app);
    assert.ok(routes.length >= 14, routes.join(', '));
    for (const route of routes) {
      const [method, path] = route.split(' ') as [string, string];
      const url = concreteAdminUrl(path, { idp: CONSOLE_IDP, cluster: CONSOLE_CLUSTER });
      const res =
        method === 'GET'
          ? await corpAdmin.get(url, { accept: 'application/json' })
          : await corpAdmin.postForm(
              url,
              { _csrf: csrf, ...adminFormFields(path, REENABLE) },
              { accept: 'application/json' },
            );
      assert.equal(res.status, status, `${method} ${url}`);
      assert.equal(await errorCode(res), code, `${method} ${url}`);
    }
    assert.equal(await snapshotOf(h), before, 'nothing changed');
    const after = await h.service.store.queryAudit({ kind: 'session_refused', limit: 10_000 });
    assert.equal(after.length, audited + routes.length, 'one audit event per refusal');
    for (const e of after.slice(0, routes.length)) {
      assert.equal(e.code, code);
      assert.equal(e.nameId, 'carol@example.com');
      assert.equal(e.idpId, CONSOLE_IDP);
      assert.equal(e.outcome, 'refused');
    }
  }

  it('lets the console IdP’s admin in while the IdP may make admins', async () => {
    for (const url of ['/admin', '/admin/clusters', `/admin/idps/${CONSOLE_IDP}`])
      assert.equal((await corpAdmin.get(url)).status, 200, url);
  });

  it('refuses that admin on every admin route with 403 IDP_ADMIN_NOT_ALLOWED once the IdP may no longer make admins', async () => {
    await setIdp({ enabled: 'on' });
    await assertRefusedEverywhere(403, 'IDP_ADMIN_NOT_ALLOWED');
    const again = h.newClient();
    const { res } = await h.signIn(again, CONSOLE_IDP, { groups: [ADMIN_GROUP] });
    assert.equal(res.status, 303, 'a member of the admin group still signs in as a user');
    const me = (await (await again.get('/api/me', { accept: 'application/json' })).json()) as { admin: boolean };
    assert.equal(me.admin, false, 'but is no admin');
    await setIdp({ enabled: 'on', grantsAdmin: 'on' });
    assert.equal((await corpAdmin.get('/admin')).status, 200, 'allowed again: the check reads the IdP as it is now');
  });

  it('refuses that admin on every admin route with 401 IDP_DISABLED once the IdP is disabled', async () => {
    await setIdp({ grantsAdmin: 'on' });
    await assertRefusedEverywhere(401, 'IDP_DISABLED');
    assert.equal((await fileAdmin.get('/admin')).status, 200, 'an admin of another IdP is not affected');
  });

  it('refuses that admin on every admin route with 401 IDP_DISABLED once the IdP is removed', async () => {
    assert.equal((await h.post(fileAdmin, `/admin/idps/${CONSOLE_IDP}/delete`, {})).status, 303);
    await assertRefusedEverywhere(401, 'IDP_DISABLED');
  });

  it('refuses that admin when another IdP is added under the same id', async () => {
    const other = {
      ...explicitIdpFields(CONSOLE_IDP),
      entityId: 'https://other.idp.example/metadata',
      grantsAdmin: 'on',
    };
    assert.equal((await h.post(fileAdmin, '/admin/idps', other)).status, 303);
    const res = await corpAdmin.get('/admin', { accept: 'application/json' });
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'IDP_DISABLED');
  });

  it('makes no admins through a console IdP added without the box ticked', async () => {
    assert.equal((await h.post(fileAdmin, '/admin/idps', explicitIdpFields('unticked'))).status, 303);
    const stored = (await h.service.store.listConnections('idp')).find((r) => r.id === 'unticked');
    assert.equal(stored?.entry.grantsAdmin, false);
    const client = h.newClient();
    assert.equal((await h.signIn(client, 'unticked', { groups: [ADMIN_GROUP] })).res.status, 303);
    const res = await client.get('/admin', { accept: 'application/json' });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'ADMIN_REQUIRED');
  });
});

describe('the absolute session lifetime', () => {
  const LIFETIME_MS = 43_200_000;
  const STEP_MS = 50 * 60_000;
  let h: AppHarness;
  let clock: number;

  before(async () => {
    clock = Date.now();
    h = await startAppHarness(fileConfig({ now: () => new Date(clock) }));
  });
  after(() => h.close());

  it('defaults to 12 hours', () => {
    assert.equal(h.config.server.sessionMaxLifetimeSeconds * 1000, LIFETIME_MS);
  });

  it('refuses an admin session kept busy past its lifetime, though it was used a second before, with 401 SESSION_EXPIRED', async () => {
    clock = Date.now();
    const start = clock;
    const admin = h.newClient();
    // The IdP allows a longer session: the lifetime is what ends this one.
    await h.signInAsAdmin(admin, FILE_IDP, { sessionNotOnOrAfter: new Date(start + 2 * LIFETIME_MS) });
    for (let t = start + STEP_MS; t < start + LIFETIME_MS; t += STEP_MS) {
      clock = t;
      assert.equal((await admin.get('/admin')).status, 200, `${(t - start) / 60_000} minutes after sign-in`);
    }
    clock = start + LIFETIME_MS - 1000;
    assert.equal((await admin.get('/admin/audit')).status, 200, 'one second before the end');
    clock = start + LIFETIME_MS;
    const res = await admin.postForm('/admin/clusters', clusterFields('late'), { accept: 'application/json' });
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'SESSION_EXPIRED');
    assert.deepEqual(
      (await h.service.store.listConnections('cluster')).map((r) => r.id),
      [],
      'nothing saved',
    );
    assert.equal((await admin.get('/admin')).status, 302, 'signed out: the next request is anonymous');
    const audited = await h.service.store.queryAudit({ kind: 'session_refused' });
    assert.ok(
      audited.some((e) => e.code === 'SESSION_EXPIRED' && e.nameId === 'alice@example.com'),
      'the expiry is audited',
    );
  });

  it('refuses a user session past its lifetime on the API, and lets the browser sign in again', async () => {
    clock = Date.now();
    const start = clock;
    const alice = h.newClient();
    assert.equal(
      (await h.signIn(alice, FILE_IDP, { sessionNotOnOrAfter: new Date(start + 2 * LIFETIME_MS) })).res.status,
      303,
    );
    clock = start + LIFETIME_MS - 1000;
    assert.equal((await alice.get('/api/me', { accept: 'application/json' })).status, 200);
    clock = start + LIFETIME_MS + 1;
    const res = await alice.get('/api/me', { accept: 'application/json' });
    assert.equal(res.status, 401);
    assert.equal(await errorCode(res), 'SESSION_EXPIRED');
    // Back to now: the old cookie must not stand in the way of a new sign-in.
    clock = Date.now();
    const again = (await h.signIn(alice, FILE_IDP, { json: true })).res;
    assert.equal(again.status, 303, await again.text());
    assert.equal((await alice.get('/api/me', { accept: 'application/json' })).status, 200);
  });
});

describe('a lifetime shorter than the idle timeout', () => {
  const LIFETIME_S = 600;
  let h: AppHarness;
  let clock: number;

  before(async () => {
    clock = Date.now();
    h = await startAppHarness(
      fileConfig({
        now: () => new Date(clock),
        server: { sessionMaxLifetimeSeconds: LIFETIME_S, sessionTtlSeconds: 3600 },
      }),
    );
  });
  after(() => h.close());

  it('keeps the stored expiry and the cookie at or before the end of the session', async () => {
    const end = clock + LIFETIME_S * 1000;
    const alice = h.newClient();
    const samlResponse = await h.samlResponseFor(alice, FILE_IDP);
    const res = await alice.postForm(`/saml/acs/${FILE_IDP}`, { SAMLResponse: samlResponse });
    assert.equal(res.status, 303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie)?.[1] ?? '');
    assert.ok(
      expires <= end,
      `the cookie expires at ${new Date(expires).toISOString()}, not after ${new Date(end).toISOString()}`,
    );
    for (const path of ['/', '/api/me'])
      assert.equal((await alice.get(path, { accept: 'application/json' })).status, 200, path);
    const sid = sessionIdOf(alice.cookie(SESSION_COOKIE) ?? '');
    assert.notEqual(await h.service.store.getSession(sid, new Date(end - 1000)), null, 'stored until the end');
    assert.equal(await h.service.store.getSession(sid, new Date(end + 1)), null, 'and not a moment longer');
  });
});

describe('an admin on an install without clusters', () => {
  let h: AppHarness;

  before(async () => {
    h = await startAppHarness({ admin: true, idps: [fileIdpEntry(FILE_IDP)] });
  });
  after(() => h.close());

  it('signs in (no role is assumed) and reaches the console; a non-admin is still refused', async () => {
    const mark = h.emulator.calls.length;
    const admin = h.newClient();
    await h.signInAsAdmin(admin, FILE_IDP);
    assert.deepEqual(
      h.emulator.calls.slice(mark).filter((c) => c.action === 'AssumeRoleWithSAML'),
      [],
      'no role session without a cluster',
    );
    assert.match(await (await admin.get('/')).text(), /No cluster accepts your roles yet[\s\S]*admin console/);
    const { res } = await h.signIn(h.newClient(), FILE_IDP, { json: true });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'ROLE_NOT_PERMITTED');
  });
});
