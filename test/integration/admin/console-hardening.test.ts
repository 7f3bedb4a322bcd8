// Smaller holes in the admin console, closed: anonymous visits to the setup page write no session
// row; every console page and export is `Cache-Control: no-store`; a malformed PEM in the
// explicit-fields preview is a form error (CERTIFICATE_INVALID), not a 500; a cluster host must
// be a DNS name or an IP address; and console IdPs require signed logout messages unless an admin
// unticks the box.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { explicitIdpFields, clusterFields, errorCode } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { formProblemList } from '../../support/admin-pages.ts';

const IDP = 'corp';
const MALFORMED_PEMS = [
  '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----',
  '-----BEGIN CERTIFICATE-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END CERTIFICATE-----',
  'just some text',
];
const HOST_INJECTIONS = [
  'db.example.com;ssl=false',
  'db.example.com/other',
  'db.example.com?sslmode=disable',
  'evil@db.example.com',
  'db example.com',
  'db.example.com\nHost: x',
];

describe('admin console hardening', () => {
  let dir: string;
  let h: AppHarness;
  let admin: CookieClient;
  const sessionRows = () => {
    const db = new Database(join(dir, 'store.db'), { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshift-sso-console-'));
    h = await startAppHarness({ admin: true, store: openSqliteStore(`sqlite:${join(dir, 'store.db')}`) });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes no session row for anonymous visits to /admin/setup; the accepted token starts the one session', async () => {
    const token = await h.service.issueSetupToken();
    assert.ok(token !== undefined);
    for (let i = 0; i < 5; i += 1) assert.equal((await h.newClient().get('/admin/setup')).status, 200);
    assert.equal(sessionRows(), 0, 'no row per anonymous visit');

    const stranger = h.newClient();
    const page = await stranger.get('/admin/setup');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
    const wrongToken = await stranger.postForm('/admin/setup', { _csrf: csrf, token: 'not-the-token' });
    assert.equal(wrongToken.status, 403);
    const noCookie = await h
      .newClient()
      .postForm('/admin/setup', { _csrf: csrf, token }, { accept: 'application/json' });
    assert.equal(noCookie.status, 403, 'the form token alone, without its cookie, is refused');
    assert.equal(await errorCode(noCookie), 'CSRF_TOKEN_INVALID');
    const forged = h.newClient();
    await forged.get('/admin/setup');
    assert.equal(
      await errorCode(await forged.postForm('/admin/setup', { _csrf: csrf, token }, { accept: 'application/json' })),
      'CSRF_TOKEN_INVALID',
      "another browser's form token is refused",
    );
    assert.equal(sessionRows(), 0, 'refused attempts write no session either');

    admin = h.newClient();
    await h.signInWithSetupToken(admin, token);
    assert.equal(sessionRows(), 1, 'the admin session');
    assert.equal((await admin.get('/admin')).status, 200);
  });

  it('refuses a malformed PEM in the explicit-fields preview and save as a form error (CERTIFICATE_INVALID, 400)', async () => {
    for (const pem of MALFORMED_PEMS) {
      for (const action of ['preview', 'save']) {
        const res = await h.post(admin, '/admin/idps', { ...explicitIdpFields(IDP), certs: pem, action });
        assert.equal(res.status, 400, `${action} ${JSON.stringify(pem)}`);
        const html = await res.text();
        assert.match(html, /id="form-error"[^>]*>[^<]*\(CERTIFICATE_INVALID\)/);
        assert.ok(html.includes(`value="${IDP}"`), 'the form keeps the input');
      }
    }
    assert.deepEqual(await h.service.store.listConnections('idp'), [], 'nothing saved');
  });

  it('requires signed logout messages for a console IdP until an admin unticks the box', async () => {
    // Saving the first IdP ends the setup session; its admin signs in through that IdP from here on.
    await h.saveFirstIdp(admin, explicitIdpFields(IDP));
    admin = h.newClient();
    await h.signInAsAdmin(admin, IDP);
    assert.equal((await h.service.store.listConnections('idp'))[0]?.entry.wantLogoutSigned, true, 'stored as required');
    assert.equal(h.service.sp.idp(IDP).wantLogoutSigned, true);
    const page = await (await admin.get(`/admin/idps/${IDP}`)).text();
    assert.match(page, /<input type="checkbox" id="field-wantLogoutSigned" name="wantLogoutSigned" checked /);

    // The settings form as a browser sends it with that box unticked: nothing for the field.
    const settings = { settingsForm: '1', enabled: 'on', wantAssertionsSigned: 'on', grantsAdmin: 'on' };
    assert.equal((await h.post(admin, `/admin/idps/${IDP}/settings`, settings)).status, 303);
    assert.equal(h.service.sp.idp(IDP).wantLogoutSigned, false);
    assert.match(
      await (await admin.get(`/admin/idps/${IDP}`)).text(),
      /<input type="checkbox" id="field-wantLogoutSigned" name="wantLogoutSigned" +aria-describedby/,
    );
    assert.equal(
      (await h.post(admin, `/admin/idps/${IDP}/settings`, { ...settings, wantLogoutSigned: 'on' })).status,
      303,
    );
    assert.equal(h.service.sp.idp(IDP).wantLogoutSigned, true);
  });

  it('refuses a cluster host that is not a DNS name or an IP address, saving nothing', async () => {
    for (const host of HOST_INJECTIONS) {
      const res = await h.post(admin, '/admin/clusters', clusterFields('analytics', { host }));
      assert.equal(res.status, 400, JSON.stringify(host));
      const problems = formProblemList(await res.text());
      assert.match(problems, /<li>host: expected a DNS name or an IP address/, JSON.stringify(host));
    }
    assert.deepEqual(await h.service.store.listConnections('cluster'), []);
    assert.equal(
      (
        await h.post(
          admin,
          '/admin/clusters',
          clusterFields('analytics', { host: 'analytics.internal.example', port: '5439' }),
        )
      ).status,
      303,
    );
  });

  it('marks every console page, form answer and audit export Cache-Control: no-store', async () => {
    const pages = [
      '/admin',
      '/admin/idps/new',
      `/admin/idps/${IDP}`,
      '/admin/clusters',
      '/admin/audit',
      '/admin/audit?user=x',
      '/admin/audit.csv',
      '/admin/audit.jsonl',
      '/ADMIN/audit.csv',
    ];
    for (const path of pages) {
      const res = await admin.get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'no-store', path);
    }
    const setup = await h.newClient().get('/admin/setup');
    assert.equal(setup.headers.get('cache-control'), 'no-store', '/admin/setup');
    const preview = await h.post(admin, '/admin/idps', { ...explicitIdpFields('other'), action: 'preview' });
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('cache-control'), 'no-store', 'the preview page');
    const formError = await h.post(admin, '/admin/clusters', clusterFields('x', { host: 'a b' }));
    assert.equal(formError.status, 400);
    assert.equal(formError.headers.get('cache-control'), 'no-store', 'a form error page');
    const redirect = await h.post(admin, `/admin/idps/${IDP}/settings`, {
      settingsForm: '1',
      enabled: 'on',
      wantAssertionsSigned: 'on',
      grantsAdmin: 'on',
      wantLogoutSigned: 'on',
    });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('cache-control'), 'no-store', 'a redirect after a change');
  });
});
