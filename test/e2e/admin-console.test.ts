// A fresh install configured entirely in the browser (headless Chromium): the service starts with
// a configuration that has no IdP and no cluster and writes a one-time setup token to a 0600 file
// (never to its output); the admin enters it and adds an IdP from pasted metadata (checking the
// previewed fingerprint), which ends the setup session; the admin signs in through that IdP and
// adds a cluster; then a user signs in and gets credentials, all without a restart. A second start
// on the same store hands out no setup token and keeps what the admin entered.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { DEMO_ADMIN_ROLE, DEMO_ANALYST_ROLE } from '../../src/dev/demo.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { CONSOLE_IDP_KEY as IDP_KEY, startConsoleInstall, type ConsoleInstall } from '../support/console-install.ts';

const IDP_ID = 'corp';
const IDP_NAME = 'Corp IdP';
const CLUSTER_ID = 'warehouse';

describe('admin console in a browser, from a fresh install', () => {
  let install: ConsoleInstall;
  let chromium: LaunchedChromium;
  let baseUrl: string;
  let idpBase: string;

  before(async () => {
    // The demo IdP on a server of its own, as an external IdP would be; no cluster in the file.
    install = await startConsoleInstall({ '/idp': IDP_ID }, { clusters: false, checkIssuer: true });
    ({ baseUrl, idpBase } = install);
    chromium = await launchChromium();
  });

  after(async () => {
    await install?.close();
    await chromium?.close();
  });

  async function failIfErrorPage(page: Page): Promise<void> {
    const alert = await page
      .locator('#form-error, .error-text[role=alert], p.meta code')
      .first()
      .textContent({ timeout: 200 })
      .catch(() => null);
    if (alert !== null) assert.fail(`the service showed an error: ${alert} ${await install.diagnose(page)}`);
  }

  it(
    'sets up an IdP and a cluster in the browser, and a user of that IdP gets credentials, with no restart',
    { timeout: 90_000 },
    async () => {
      const { service } = install;
      // Not a terminal here, so the token goes to the file beside the SQLite store, and the log says where.
      const tokenFile = install.setupTokenFile;
      const token = readFileSync(tokenFile, 'utf8').trim();
      assert.ok(token.length >= 16, 'a token in the file');
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600, 'readable by its owner only');
      assert.ok(!service.output().includes(token), 'the token is never printed to stdout or stderr');
      assert.ok(
        service.output().includes(`"setupTokenFile":"${tokenFile}"`),
        `the log names the file:\n${service.output()}`,
      );
      assert.ok(!service.output().includes('redshift-sso demo'), 'not demo mode');

      const admin = await (await chromium.newContext()).newPage();
      await admin.goto(`${baseUrl}/admin`);
      assert.equal(new URL(admin.url()).pathname, '/login', 'the console is closed without the token');
      await admin.goto(`${baseUrl}/admin/setup`);
      await admin.fill('input[name=token]', token);
      await Promise.all([
        admin.waitForURL(`${baseUrl}/admin`),
        admin.getByRole('button', { name: 'Open the admin console' }).click(),
      ]);
      await admin.getByRole('heading', { name: 'Admin', exact: true }).waitFor();

      // An IdP from pasted metadata: preview first, then save.
      const metadata = install.metadataFor('/idp');
      await admin.goto(`${baseUrl}/admin/idps/new`);
      assert.equal(await admin.isChecked('input[name=grantsAdmin]'), true, 'the first IdP is shown as making admins');
      await admin.fill('input[name=id]', IDP_ID);
      await admin.fill('input[name=name]', IDP_NAME);
      await admin.fill('textarea[name=metadataXml]', metadata);
      await admin.getByRole('button', { name: 'Preview' }).click();
      await admin
        .locator('#preview')
        .waitFor()
        .catch(async () => assert.fail(`no preview ${await install.diagnose(admin)}`));
      const preview = (await admin.locator('#preview').textContent()) ?? '';
      assert.ok(
        preview.includes(new X509Certificate(IDP_KEY.certificate).fingerprint256),
        `the preview shows the SHA-256 fingerprint: ${preview}`,
      );
      assert.ok(preview.includes(`${idpBase}/idp/metadata`), 'and the entity ID');
      assert.ok(preview.includes(`${idpBase}/idp/sso`), 'and the SSO URL');
      assert.match(preview, /rsa 2048/);
      assert.equal(await admin.inputValue('input[name=id]'), IDP_ID, 'the form keeps what was typed');
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await admin
        .getByRole('heading', { name: 'First IdP connection saved' })
        .waitFor()
        .catch(async () => assert.fail(`not saved ${await install.diagnose(admin)}`));
      assert.match(
        (await admin.textContent('main')) ?? '',
        new RegExp(`${baseUrl}/saml/acs/${IDP_ID}`),
        'the page shows the ACS URL to paste',
      );

      // The setup session is over: the admin signs in through the new IdP as Bob (group admins).
      await Promise.all([
        admin.waitForURL((url) => url.href.startsWith(`${idpBase}/idp/sso`)),
        admin.getByRole('link', { name: `Sign in through ${IDP_NAME}` }).click(),
      ]);
      await Promise.all([
        admin.waitForURL(`${baseUrl}/admin`),
        admin.getByRole('button', { name: /Bob \(admin\)/ }).click(),
      ]).catch(async (err: unknown) =>
        assert.fail(`the admin did not come back to the console (${String(err)}) ${await install.diagnose(admin)}`),
      );
      await admin.getByRole('heading', { name: 'Admin', exact: true }).waitFor();

      // A cluster on the emulator's cluster, for the demo roles.
      await admin.goto(`${baseUrl}/admin/clusters`);
      await admin.fill('input[name=id]', CLUSTER_ID);
      await admin.fill('input[name=name]', 'Warehouse');
      await admin.fill('input[name=clusterIdentifier]', 'demo-cluster');
      await admin.fill('input[name=database]', 'dev');
      await admin.fill('input[name=sslMode]', 'disable');
      await admin.fill('textarea[name=roles]', `${DEMO_ANALYST_ROLE}\n${DEMO_ADMIN_ROLE}`);
      await Promise.all([
        admin.waitForURL(`${baseUrl}/admin/clusters`),
        admin.getByRole('button', { name: 'Save cluster' }).click(),
      ]);
      await failIfErrorPage(admin);
      assert.match((await admin.locator('table.grid').textContent()) ?? '', /warehouse[\s\S]*demo-cluster/);

      // Alice, in a browser of her own, through the new IdP.
      const alice = await (await chromium.newContext()).newPage();
      await alice.goto(`${baseUrl}/`);
      await Promise.all([
        alice.waitForURL((url) => url.href.startsWith(`${idpBase}/idp/sso`)),
        alice.getByRole('link', { name: `Sign in with ${IDP_NAME}` }).click(),
      ]);
      await Promise.all([
        alice.waitForURL((url) => url.origin === baseUrl && !url.pathname.startsWith('/saml/'), { waitUntil: 'load' }),
        alice.getByRole('button', { name: /Alice \(analyst\)/ }).click(),
      ]).catch(async (err: unknown) =>
        assert.fail(`did not come back from the IdP (${String(err)}) ${await install.diagnose(alice)}`),
      );
      await failIfErrorPage(alice);
      const get = alice.getByRole('button', { name: /Get credentials for Warehouse/ });
      await get.waitFor().catch(async () => assert.fail(`no cluster form ${await install.diagnose(alice)}`));
      await Promise.all([alice.waitForURL(`${baseUrl}/credentials`), get.click()]);
      await failIfErrorPage(alice);
      assert.equal(await alice.textContent('#db-user'), 'IAM:alice');
      const password = (await alice.textContent('#db-password')) ?? '';
      assert.ok(password.length >= 16);

      const actions = install.emulator.calls.map((c) => `${c.action}:${c.ok}`);
      assert.ok(actions.includes('AssumeRoleWithSAML:true'), actions.join(' '));
      assert.ok(actions.includes('GetClusterCredentials:true'), actions.join(' '));
      assert.ok(!service.output().includes(password), 'the password never reaches the output');
      assert.ok(!service.output().includes(token), 'nor the setup token');

      // The console recorded it: the admin sees Alice's credentials in the audit trail.
      await admin.goto(`${baseUrl}/admin/audit?user=alice`);
      assert.match(
        (await admin.locator('table.audit').textContent()) ?? '',
        /credentials_issued[\s\S]*alice@example\.com[\s\S]*warehouse/,
      );
    },
  );

  it(
    'hands out no setup token when started again on the same store, and keeps the IdP and cluster',
    { timeout: 60_000 },
    async () => {
      assert.equal(await install.service.stop(), 0);
      const service = await install.startAgain();
      assert.doesNotMatch(service.output(), /setup token/i);
      assert.doesNotMatch(service.output(), /\/admin\/setup/);
      const home = await (await fetch(`${baseUrl}/`)).text();
      assert.ok(home.includes(`/login/${IDP_ID}`), 'the IdP entered in the console is still there');
      const login = await fetch(`${baseUrl}/login/${IDP_ID}`, { redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.ok(login.headers.get('location')?.startsWith(`${idpBase}/idp/sso?`));
    },
  );
});
