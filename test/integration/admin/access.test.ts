// Who may use the admin console. Every route under /admin (found by walking Express's route table,
// so a new route is covered the day it is added) refuses a signed-in non-admin with 403
// ADMIN_REQUIRED and an anonymous POST with 403; a form posted without its CSRF token changes
// nothing; entries from the configuration file are read-only; the setup token works only until an
// IdP exists; and an id used by both the file and the console stops the service at start-up.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { createApp } from '../../../src/app.ts';
import { ConfigError } from '../../../src/errors.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { createLogger } from '../../../src/logger.ts';
import { startAdminHarness, explicitIdpFields, clusterFields, errorCode, ADMIN_GROUP, type AdminHarness } from '../../support/admin-harness.ts';
import { TEST_CLUSTER_IDENTIFIER, TEST_SSO_URL, type CookieClient } from '../../support/app-harness.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../../support/sign-response.ts';

const FILE_IDP = 'test';
const FILE_CLUSTER = 'analytics';
/** Disabled in the file, but the id is still the file's. */
const DISABLED_FILE_IDP = 'paused';
const EXPECTED_ROUTES = [
  'GET /admin',
  'GET /admin/idps/new',
  'POST /admin/idps',
  'GET /admin/idps/:id',
  'POST /admin/idps/:id/settings',
  'POST /admin/idps/:id/certs',
  'POST /admin/idps/:id/certs/remove',
  'POST /admin/idps/:id/delete',
  'GET /admin/clusters',
  'POST /admin/clusters',
  'POST /admin/clusters/:id/delete',
  'GET /admin/audit',
  'GET /admin/audit.csv',
  'GET /admin/audit.jsonl',
];

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every "METHOD /path" under /admin in the app's route table, except the setup form. */
function adminRouteTable(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        for (const path of [layer.route.path].flat()) {
          if (!/^\/admin(\/|\.|$)/i.test(path) || path === '/admin/setup') continue;
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method.toUpperCase()} ${path}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { _router: { stack: Layer[] } })._router.stack);
  return [...new Set(found)];
}

/** A concrete URL for a route pattern, naming the file's entries (so a missed check would act on them). */
function concrete(path: string): string {
  return path.replace('/idps/:id', `/idps/${FILE_IDP}`).replace('/clusters/:id', `/clusters/${FILE_CLUSTER}`).replace(/:\w+/g, 'x');
}

/** Plausible form fields for each POST, so a missing admin check would show as a change. */
function fieldsFor(path: string): Record<string, string> {
  if (path === '/admin/idps') return explicitIdpFields('sneaky');
  if (path === '/admin/clusters') return clusterFields('sneaky');
  if (path.endsWith('/certs')) return { certificate: fixtureKeys.attacker.certificate };
  if (path.endsWith('/certs/remove')) return { fingerprint: 'x' };
  return { enabled: 'off' };
}

async function snapshotOf(h: AdminHarness): Promise<string> {
  const store = h.service.store;
  return JSON.stringify([await store.connectionsVersion(), await store.listConnections('idp'), await store.listConnections('cluster')]);
}

describe('admin console access', () => {
  let h: AdminHarness;
  let analyst: CookieClient;
  let admin: CookieClient;

  before(async () => {
    h = await startAdminHarness({
      idps: [
        { id: FILE_IDP, name: 'File IdP', entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] },
        { id: DISABLED_FILE_IDP, enabled: false, entityId: 'https://paused.idp.example/', ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] },
      ],
      clusters: [{ id: FILE_CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    });
    analyst = h.newClient();
    assert.equal((await h.signIn(analyst, FILE_IDP, { groups: ['Analysts'] })).res.status, 303);
    admin = h.newClient();
    assert.equal((await h.signIn(admin, FILE_IDP, { groups: ['Analysts', ADMIN_GROUP.toUpperCase()] })).res.status, 303);
  });
  after(() => h.close());

  it('finds every admin route in the route table', () => {
    const table = adminRouteTable(h.service.app);
    for (const route of EXPECTED_ROUTES) assert.ok(table.includes(route), `${route} is in the route table: ${table.join(', ')}`);
  });

  it('refuses a signed-in non-admin on every admin route, GET and POST (valid CSRF token), with 403 ADMIN_REQUIRED', async () => {
    const before = await snapshotOf(h);
    const csrf = await h.csrf(analyst);
    const checked: string[] = [];
    for (const route of adminRouteTable(h.service.app)) {
      const [method, path] = route.split(' ') as [string, string];
      const url = concrete(path);
      const res =
        method === 'GET'
          ? await analyst.get(url, { accept: 'application/json' })
          : await analyst.postForm(url, { _csrf: csrf, ...fieldsFor(path) }, { accept: 'application/json' });
      assert.equal(res.status, 403, `${method} ${url}`);
      assert.equal(await errorCode(res), 'ADMIN_REQUIRED', `${method} ${url}`);
      checked.push(route);
    }
    assert.ok(checked.length >= EXPECTED_ROUTES.length);
    assert.equal(await snapshotOf(h), before, 'nothing changed');
  });

  it('shows a non-admin browser a clear 403 page', async () => {
    const res = await analyst.get('/admin', { accept: 'text/html' });
    assert.equal(res.status, 403);
    const html = await res.text();
    assert.match(html, /ADMIN_REQUIRED/);
    assert.match(html, /administrators/);
  });

  it('refuses other spellings of an admin path too', async () => {
    for (const url of ['/ADMIN/audit.csv', '/Admin/audit.jsonl', '/admin/audit.csv/', '/admin/clusters/']) {
      const res = await analyst.get(url, { accept: 'application/json' });
      assert.equal(res.status, 403, url);
    }
  });

  it('sends an anonymous GET to sign in and refuses an anonymous POST', async () => {
    const before = await snapshotOf(h);
    const anonymous = h.newClient();
    for (const route of adminRouteTable(h.service.app)) {
      const [method, path] = route.split(' ') as [string, string];
      const url = concrete(path);
      if (method === 'GET') {
        const res = await anonymous.get(url);
        assert.equal(res.status, 302, url);
        assert.equal(res.headers.get('location'), `/login?returnTo=${encodeURIComponent(url)}`);
      } else {
        const res = await anonymous.postForm(url, fieldsFor(path), { accept: 'application/json' });
        assert.ok(res.status === 403 || res.status === 401, `${url}: ${res.status}`);
      }
    }
    assert.equal(await snapshotOf(h), before, 'nothing changed');
  });

  it('lets an admin (group matched case-insensitively) in', async () => {
    for (const url of ['/admin', '/admin/clusters', '/admin/audit', `/admin/idps/${FILE_IDP}`]) assert.equal((await admin.get(url)).status, 200, url);
  });

  it('changes nothing when a form comes without its CSRF token, or with a wrong or foreign one', async () => {
    const created = await h.post(admin, '/admin/idps', explicitIdpFields('console-idp'));
    assert.equal(created.status, 303, await created.text());
    const before = await snapshotOf(h);
    const foreign = await h.csrf(analyst);
    const attempts: Array<[string, Record<string, string>]> = [
      ['/admin/clusters', clusterFields('new-cluster')],
      ['/admin/idps', explicitIdpFields('new-idp')],
      ['/admin/idps/console-idp/delete', {}],
      ['/admin/idps/console-idp/settings', { enabled: 'off' }],
      ['/admin/idps/console-idp/certs', { certificate: fixtureKeys.attacker.certificate }],
    ];
    for (const [path, fields] of attempts) {
      for (const token of [undefined, 'not-the-token', foreign]) {
        const res = await admin.postForm(path, token === undefined ? fields : { ...fields, _csrf: token }, { accept: 'application/json' });
        assert.equal(res.status, 403, `${path} with token ${String(token)}`);
        assert.equal(await errorCode(res), 'CSRF_TOKEN_INVALID');
      }
    }
    assert.equal(await snapshotOf(h), before, 'store unchanged');
    // The same forms with the token do work: it was the token that was missing.
    assert.equal((await h.post(admin, '/admin/clusters', clusterFields('new-cluster'))).status, 303);
    assert.equal((await h.post(admin, '/admin/idps/console-idp/delete', {})).status, 303);
    assert.deepEqual((await h.service.store.listConnections('cluster')).map((r) => r.id), ['new-cluster']);
    assert.deepEqual((await h.service.store.listConnections('idp')).map((r) => r.id), []);
  });

  it('keeps configuration-file entries read-only (403 MANAGED_BY_CONFIGURATION)', async () => {
    const before = await snapshotOf(h);
    const attempts: Array<[string, Record<string, string>]> = [
      [`/admin/clusters/${FILE_CLUSTER}/delete`, {}],
      ['/admin/clusters', clusterFields(FILE_CLUSTER, { database: 'other' })],
      [`/admin/idps/${FILE_IDP}/delete`, {}],
      [`/admin/idps/${FILE_IDP}/settings`, { enabled: 'off' }],
      [`/admin/idps/${FILE_IDP}/certs`, { certificate: fixtureKeys.idpNext.certificate }],
      [`/admin/idps/${FILE_IDP}/certs/remove`, { fingerprint: 'x' }],
    ];
    for (const [path, fields] of attempts) {
      const res = await h.post(admin, path, fields);
      assert.equal(res.status, 403, path);
      assert.equal(await errorCode(res), 'MANAGED_BY_CONFIGURATION', path);
    }
    for (const id of [FILE_IDP, DISABLED_FILE_IDP]) {
      const sameId = await h.post(admin, '/admin/idps', explicitIdpFields(id));
      assert.equal(sameId.status, 400, `an IdP with the id of a file entry (${id}) is refused`);
      assert.match(await sameId.text(), /IDP_EXISTS/);
    }
    const paused = await h.post(admin, `/admin/idps/${DISABLED_FILE_IDP}/delete`, {});
    assert.equal(await errorCode(paused), 'MANAGED_BY_CONFIGURATION', 'a disabled file IdP is still the file’s');
    assert.equal(await snapshotOf(h), before, 'store unchanged');
    const clusters = await (await admin.get('/admin/clusters')).text();
    assert.ok(!clusters.includes(`/admin/clusters/${FILE_CLUSTER}/delete`), 'no Remove button for a file entry');
    assert.match(clusters, /configuration file/);
    const idp = await (await admin.get(`/admin/idps/${FILE_IDP}`)).text();
    assert.match(idp, /configuration file \(read-only here\)/);
    assert.ok(!idp.includes(`/admin/idps/${FILE_IDP}/delete`), 'no Remove button for a file IdP');
    assert.equal((await h.newClient().get(`/login/${FILE_IDP}`)).status, 302, 'the file IdP still works');
  });

  it('refuses an invalid cluster form with every problem, keeps the input and saves nothing', async () => {
    const before = await snapshotOf(h);
    const res = await admin.postForm('/admin/clusters', { _csrf: await h.csrf(admin), id: 'Bad Id!', type: 'serverless', port: 'abc', roles: '', database: 'kept-db' });
    assert.equal(res.status, 400);
    const html = await res.text();
    const problems = html.split('id="form-error"')[1]?.split('</ul>')[0] ?? '';
    for (const field of ['id', 'workgroup', 'port', 'roles']) assert.match(problems, new RegExp(`<li>${field}[^<]*</li>`), `a problem for ${field}: ${problems}`);
    assert.ok(html.includes('value="Bad Id!"'), 'the id typed is kept');
    assert.ok(html.includes('value="kept-db"'), 'the database typed is kept');
    assert.equal(await snapshotOf(h), before, 'nothing saved');
  });

  it('issues no setup token when the configuration has an IdP', async () => {
    assert.equal(await h.service.issueSetupToken(), undefined);
    const res = await h.newClient().get('/admin/setup');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    assert.ok(csrf !== '');
  });

  it('refuses to start when an id is used by both the configuration file and the console', async () => {
    for (const [kind, id, entry] of [
      ['cluster', FILE_CLUSTER, { id: FILE_CLUSTER, clusterIdentifier: 'other', roles: [TEST_ROLE_ARN] }],
      ['idp', FILE_IDP, { id: FILE_IDP, entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] }],
      ['idp', DISABLED_FILE_IDP, { id: DISABLED_FILE_IDP, entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] }],
    ] as const) {
      const store = openSqliteStore('sqlite::memory:');
      assert.equal(await store.putConnection({ kind, id, entry, updatedAt: new Date(), updatedBy: 'test' }, 0), true);
      const app = createApp(h.config, { store, logger: createLogger({ level: 'silent' }) });
      try {
        await assert.rejects(app.registry.start(), (err: unknown) => {
          assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
          assert.ok(err.problems.some((p) => p.includes(`"${id}"`) && p.startsWith(kind === 'idp' ? 'idps' : 'clusters')), err.problems.join('; '));
          return true;
        });
      } finally {
        await app.close();
      }
    }
  });
});

describe('the setup token', () => {
  let h: AdminHarness;
  let token: string;

  before(async () => {
    h = await startAdminHarness({ clusters: [{ id: FILE_CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }] });
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

  it('is issued once: a second start gets none', async () => {
    assert.equal(await h.service.issueSetupToken(), undefined);
  });

  it('refuses a wrong token, and leaves that browser without admin rights', async () => {
    for (const wrong of [`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`, 'x'.repeat(32), '']) {
      const { status, client } = await tryToken(wrong);
      assert.equal(status, 403);
      assert.equal((await client.get('/admin')).status, 302, 'still anonymous');
    }
  });

  it('lets a setup-token session sign out (there is no IdP to send a LogoutRequest to)', async () => {
    const { client } = await tryToken(token);
    assert.equal((await client.get('/admin')).status, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await client.get('/admin')).text())?.[1] ?? '';
    const out = await client.postForm('/logout', { _csrf: csrf });
    assert.equal(out.status, 303);
    assert.equal((await client.get('/admin')).status, 302, 'signed out');
  });

  it('refuses the right token without the form’s CSRF token', async () => {
    assert.equal((await tryToken(token, false)).status, 403);
  });

  it('opens the console until an IdP exists, and never again after', async () => {
    const { status, client } = await tryToken(token);
    assert.equal(status, 303);
    assert.equal((await client.get('/admin')).status, 200);
    assert.equal((await h.post(client, '/admin/idps', explicitIdpFields('first'))).status, 303);
    assert.equal((await tryToken(token)).status, 403, 'refused once an IdP exists');
    assert.equal(await h.service.issueSetupToken(), undefined, 'and no new one is issued');
  });

  it('stays retired when the last IdP is removed again', async () => {
    // A token printed at first start (and kept in a terminal or log) must not come back to life.
    const admin = h.newClient();
    assert.equal((await h.signIn(admin, 'first', { groups: [ADMIN_GROUP] })).res.status, 303);
    assert.equal((await h.post(admin, '/admin/idps/first/delete', {})).status, 303);
    assert.deepEqual(await h.service.store.listConnections('idp'), []);
    assert.equal((await tryToken(token)).status, 403, 'still refused after the IdP is removed again');
  });
});
