// Who may use the admin console. Every route under /admin (found by walking Express's route table,
// so a new route is covered the day it is added) refuses a signed-in non-admin with 403
// ADMIN_REQUIRED and an anonymous POST with 403; a form posted without its CSRF token changes
// nothing; entries from the configuration file are read-only; and an id used by both the file and
// the console stops the service at start-up. (The setup token: setup-token.test.ts.)
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import {
  startAppHarness,
  type AppHarness,
  type AppHarnessOptions,
  TEST_CLUSTER_IDENTIFIER,
  TEST_SSO_URL,
} from '../../support/app-harness.ts';
import { connectionsSnapshot as snapshotOf, formProblemList, refusedFormPage } from '../../support/admin-pages.ts';
import { explicitIdpFields, clusterFields, errorCode, ADMIN_GROUP } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { adminFormFields, adminRouteTable, concreteAdminUrl } from '../../support/admin-routes.ts';
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
  'POST /admin/clusters/:id/test',
  'GET /admin/audit',
  'GET /admin/audit.csv',
  'GET /admin/audit.jsonl',
];

/** A concrete URL naming the file's entries. */
const concrete = (path: string) => concreteAdminUrl(path, { idp: FILE_IDP, cluster: FILE_CLUSTER });
const fieldsFor = (path: string) => adminFormFields(path);

/** The configuration file: its IdP, a disabled IdP and its cluster. */
const FILE_CONFIG: AppHarnessOptions = {
  admin: true,
  idps: [
    {
      id: FILE_IDP,
      name: 'File IdP',
      entityId: TEST_IDP_ISSUER,
      ssoUrl: TEST_SSO_URL,
      certs: [fixtureKeys.idp.certificate],
    },
    {
      id: DISABLED_FILE_IDP,
      enabled: false,
      entityId: 'https://paused.idp.example/',
      ssoUrl: TEST_SSO_URL,
      certs: [fixtureKeys.idp.certificate],
    },
  ],
  clusters: [{ id: FILE_CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
};

describe('admin console access', () => {
  let h: AppHarness;
  let analyst: CookieClient;
  let admin: CookieClient;

  before(async () => {
    h = await startAppHarness(FILE_CONFIG);
    analyst = h.newClient();
    assert.equal((await h.signIn(analyst, FILE_IDP, { groups: ['Analysts'] })).res.status, 303);
    admin = h.newClient();
    assert.equal(
      (await h.signIn(admin, FILE_IDP, { groups: ['Analysts', ADMIN_GROUP.toUpperCase()] })).res.status,
      303,
    );
  });
  after(() => h.close());

  it('finds every admin route in the route table', () => {
    const table = adminRouteTable(h.service.app);
    for (const route of EXPECTED_ROUTES)
      assert.ok(table.includes(route), `${route} is in the route table: ${table.join(', ')}`);
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
    for (const url of ['/admin', '/admin/clusters', '/admin/audit', `/admin/idps/${FILE_IDP}`])
      assert.equal((await admin.get(url)).status, 200, url);
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
        const res = await admin.postForm(path, token === undefined ? fields : { ...fields, _csrf: token }, {
          accept: 'application/json',
        });
        assert.equal(res.status, 403, `${path} with token ${String(token)}`);
        assert.equal(await errorCode(res), 'CSRF_TOKEN_INVALID');
      }
    }
    assert.equal(await snapshotOf(h), before, 'store unchanged');
    // The same forms with the token do work: it was the token that was missing.
    assert.equal((await h.post(admin, '/admin/clusters', clusterFields('new-cluster'))).status, 303);
    assert.equal((await h.post(admin, '/admin/idps/console-idp/delete', {})).status, 303);
    assert.deepEqual(
      (await h.service.store.listConnections('cluster')).map((r) => r.id),
      ['new-cluster'],
    );
    assert.deepEqual(
      (await h.service.store.listConnections('idp')).map((r) => r.id),
      [],
    );
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
    const res = await admin.postForm('/admin/clusters', {
      _csrf: await h.csrf(admin),
      id: 'Bad Id!',
      type: 'serverless',
      port: 'abc',
      roles: '',
      database: 'kept-db',
    });
    const html = await refusedFormPage(res);
    const problems = formProblemList(html);
    for (const field of ['id', 'workgroup', 'port', 'roles'])
      assert.match(problems, new RegExp(`<li>${field}[^<]*</li>`), `a problem for ${field}: ${problems}`);
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
      [
        'idp',
        FILE_IDP,
        { id: FILE_IDP, entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] },
      ],
      [
        'idp',
        DISABLED_FILE_IDP,
        {
          id: DISABLED_FILE_IDP,
          entityId: TEST_IDP_ISSUER,
          ssoUrl: TEST_SSO_URL,
          certs: [fixtureKeys.idp.certificate],
        },
      ],
    ] as const) {
      const store = openSqliteStore('sqlite::memory:');
      assert.equal(await store.putConnection({ kind, id, entry, updatedAt: new Date(), updatedBy: 'test' }, 0), true);
      // The harness closes the app and its store when start-up fails.
      await assert.rejects(startAppHarness({ ...FILE_CONFIG, store }), (err: unknown) => {
        assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
        assert.ok(
          err.problems.some((p) => p.includes(`"${id}"`) && p.startsWith(kind === 'idp' ? 'idps' : 'clusters')),
          err.problems.join('; '),
        );
        return true;
      });
    }
  });
});
