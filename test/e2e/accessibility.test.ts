// Every page a person or an admin can reach, walked for real in headless Chromium and checked
// with axe-core: no serious or critical violation anywhere. A fresh install is set up through the
// console (setup token, first IdP, a second IdP), Bob signs in as admin, Alice as a user, the CLI's
// approval pages are reached through a real device sign-in, and the error pages come from real bad
// input (wrong setup token, garbage SAML responses, a forged form, an unknown address).
import { describe, it, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ServiceHome } from '../support/spawn-service.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { startConsoleInstall, type ConsoleInstall } from '../support/console-install.ts';
import { AxeAudit } from '../support/axe.ts';
import { authorizeParams, authorizePath } from '../support/cli-flow.ts';
import { DEVICE_GRANT_TYPE } from '../../src/web/routes/cli-api.ts';

/** Lists every page checked (the test's diagnostics), then fails on any serious or critical finding. */
function report(t: TestContext, audit: AxeAudit, atLeast: number): void {
  for (const line of audit.summary()) t.diagnostic(line);
  t.diagnostic(`${audit.pages.length} pages checked`);
  assert.ok(audit.pages.length >= atLeast, `every page was reached (${audit.pages.length})`);
  const failures = audit.failures();
  assert.equal(failures.length, 0, `serious or critical accessibility violations:\n${failures.join('\n')}`);
}

describe('accessibility of every page (axe-core in Chromium)', () => {
  let install: ConsoleInstall;
  let chromium: LaunchedChromium;
  let base: string;
  const audit = new AxeAudit();

  before(async () => {
    install = await startConsoleInstall({ '/corp': 'corp', '/partner': 'partner' });
    base = install.baseUrl;
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await install?.close();
  });

  /** Opens `path` on the service (or a full URL) and checks it; `status` is the answer expected. */
  async function visit(page: Page, path: string, label: string, status = 200): Promise<void> {
    const res = await page.goto(path.startsWith('http') ? path : `${base}${path}`);
    assert.equal(res?.status(), status, `${label}: ${await install.diagnose(page)}`);
    await audit.check(page, label);
  }

  /** Clicks and waits for the next page to load, then checks it. */
  async function clickTo(page: Page, click: () => Promise<void>, url: string | RegExp, label: string): Promise<void> {
    await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), click()]).catch(async (err: unknown) =>
      assert.fail(`${label}: ${String(err)} ${await install.diagnose(page)}`),
    );
    await audit.check(page, label);
  }

  /** Submits a form built in the page (a forged or hand-made POST), as a browser would send it. */
  async function postFrom(page: Page, action: string, fields: Record<string, string>, label: string): Promise<void> {
    const script = `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ${JSON.stringify(action)};
      for (const [k, v] of Object.entries(${JSON.stringify(fields)})) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
      document.body.appendChild(f); f.submit(); })()`;
    await clickTo(page, () => page.evaluate(script), `${base}${action}`, label);
    assert.equal(new URL(page.url()).pathname, action, `${label}: stays on the refusal`);
    assert.ok(
      (await page.locator('p.meta code').count()) > 0,
      `${label} is an error page: ${await install.diagnose(page)}`,
    );
  }

  async function signInThroughIdp(
    page: Page,
    userButton: RegExp,
    idpLink: () => Promise<void>,
    landing: string | RegExp,
  ): Promise<void> {
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${install.idpBase}/corp/sso`)), idpLink()]);
    await audit.check(page, 'Demo IdP: user picker (stands in for the external IdP)');
    await Promise.all([
      page.waitForURL(landing, { waitUntil: 'load' }),
      page.getByRole('button', { name: userButton }).click(),
    ]).catch(async (err: unknown) =>
      assert.fail(`did not come back from the IdP (${String(err)}) ${await install.diagnose(page)}`),
    );
  }

  it(
    'finds no serious or critical violation on any page, user or admin, including errors and choosers',
    { timeout: 240_000 },
    async (t) => {
      // Before any IdP: the sign-in page, the chooser, the setup form and its refusal, a 404.
      const anon = await (await chromium.newContext()).newPage();
      await visit(anon, '/', 'Sign-in page (no IdP yet)');
      await visit(anon, '/login', 'IdP chooser (no IdP yet)');
      await visit(anon, '/no/such/page', 'Not found (404)', 404);
      await visit(anon, '/admin/setup', 'Admin setup: token form');
      await anon.fill('input[name=token]', 'not-the-setup-token');
      await clickTo(
        anon,
        () => anon.getByRole('button', { name: 'Open the admin console' }).click(),
        `${base}/admin/setup`,
        'Admin setup: token refused',
      );

      // The setup session adds the first IdP (a form error, a preview, then saved).
      const admin = await (await chromium.newContext()).newPage();
      await admin.goto(`${base}/admin/setup`);
      await admin.fill('input[name=token]', install.setupToken());
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Open the admin console' }).click(),
        `${base}/admin`,
        'Admin console home (setup session, no IdP)',
      );
      await visit(admin, '/admin/idps/new', 'Add an IdP: empty form');
      await admin.fill('input[name=id]', 'corp');
      await admin.fill('input[name=name]', 'Corp SSO');
      await admin.fill('textarea[name=metadataXml]', '<not-metadata/>');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Preview' }).click(),
        `${base}/admin/idps`,
        'Add an IdP: form with an error',
      );
      await admin.fill('textarea[name=metadataXml]', install.metadataFor('/corp'));
      await admin.getByRole('button', { name: 'Preview' }).click();
      await admin
        .locator('#preview')
        .waitFor()
        .catch(async () => assert.fail(`no preview ${await install.diagnose(admin)}`));
      await audit.check(admin, 'Add an IdP: preview before saving');
      await admin.getByRole('button', { name: 'Save', exact: true }).click();
      await admin
        .getByRole('heading', { name: 'First IdP connection saved' })
        .waitFor()
        .catch(async () => assert.fail(`not saved ${await install.diagnose(admin)}`));
      await audit.check(admin, 'Setup done: first IdP saved');

      // Bob signs in through it as admin and adds a second IdP.
      await signInThroughIdp(
        admin,
        /Bob \(admin\)/,
        () => admin.getByRole('link', { name: 'Sign in through Corp SSO' }).click(),
        `${base}/admin`,
      );
      await audit.check(admin, 'Admin console home');
      await admin.goto(`${base}/admin/idps/new`);
      await admin.fill('input[name=id]', 'partner');
      await admin.fill('input[name=name]', 'Partner Okta');
      await admin.fill('textarea[name=metadataXml]', install.metadataFor('/partner'));
      await admin.getByRole('button', { name: 'Preview' }).click();
      await admin.locator('#preview').waitFor();
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Save', exact: true }).click(),
        `${base}/admin/idps/partner`,
        'IdP connection page with its settings form',
      );
      await admin.fill('input[name=maxResponseAgeSeconds]', 'soon');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Save settings' }).click(),
        `${base}/admin/idps/partner/settings`,
        'IdP settings: field errors',
      );
      assert.ok(
        (await admin.locator('.field-error').count()) > 0,
        `the settings form showed a field error ${await install.diagnose(admin)}`,
      );
      await visit(admin, '/admin/idps/ghost', 'Admin: unknown IdP connection (404)', 404);
      await visit(admin, '/admin/clusters', 'Clusters');
      await admin.fill('input[name=id]', 'broken');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Save cluster' }).click(),
        `${base}/admin/clusters`,
        'Clusters: form with errors',
      );
      assert.ok(
        (await admin.locator('#form-error').count()) > 0,
        `the cluster form showed its errors ${await install.diagnose(admin)}`,
      );
      await visit(admin, '/admin/audit', 'Audit trail');
      await visit(admin, '/admin/audit?outcome=refused', 'Audit trail, filtered');

      // Bob as a user: role chooser, cluster chooser, credentials, the CLI's pages.
      await visit(admin, '/', 'Role chooser');
      await clickTo(
        admin,
        () => admin.getByRole('link', { name: 'RedshiftAdmin' }).click(),
        /\/\?role=/,
        'Cluster chooser',
      );
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: /Get credentials for Lakehouse/ }).click(),
        `${base}/credentials`,
        'Credentials page',
      );
      // With a role session, "Test this cluster" asks AWS for the endpoint and shows the result.
      await visit(admin, '/admin/clusters', 'Clusters (signed in with a role session)');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Test this cluster: lakehouse' }).click(),
        `${base}/admin/clusters/lakehouse/test`,
        'Clusters: test result',
      );
      // The answer page follows its link to the CLI's loopback listener at once; with the script
      // that follows it held back, the page stays to be checked, and its link is the listener's.
      const cli = authorizeParams();
      await admin.route('**/static/auto-follow.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
      );
      await visit(admin, authorizePath(cli), 'CLI sign-in: approve or deny');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Deny' }).click(),
        `${base}/cli/authorize`,
        'CLI sign-in: denied, back to the terminal',
      );
      assert.ok(
        (await admin.locator('a[data-auto-follow]').getAttribute('href'))?.startsWith(cli.redirect_uri),
        await install.diagnose(admin),
      );
      await admin.unroute('**/static/auto-follow.js');
      await visit(
        admin,
        '/cli/authorize?redirect_uri=https%3A%2F%2Fevil.example%2F',
        'CLI sign-in: invalid link refused',
        400,
      );
      await visit(admin, '/cli/tokens', 'Signed-in tools (none)');
      await visit(admin, '/cli/device', 'Device sign-in: enter the code');
      await admin.fill('#user-code', 'ZZZZ-ZZZZ');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Continue' }).click(),
        /\/cli\/device\?user_code=/,
        'Device sign-in: unknown code refused',
      );
      const device = (await (
        await fetch(`${base}/api/cli/device`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"client_name":"a11y laptop"}',
        })
      ).json()) as {
        device_code: string;
        verification_uri_complete: string;
      };
      await visit(admin, device.verification_uri_complete, 'Device sign-in: approve or deny');
      await clickTo(
        admin,
        () => admin.getByRole('button', { name: 'Approve' }).click(),
        `${base}/cli/device`,
        'Device sign-in: approved',
      );
      const token = await fetch(`${base}/api/cli/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: DEVICE_GRANT_TYPE, device_code: device.device_code }),
      });
      assert.equal(token.status, 200, 'the device got its token');
      await visit(admin, '/cli/tokens', 'Signed-in tools (one tool)');
      assert.equal(await admin.locator('#cli-tokens tbody tr').count(), 1);

      // Alice: both sign-in pages with two IdPs, her pages, and the refusals a user can meet.
      const alice = await (await chromium.newContext()).newPage();
      await visit(alice, '/', 'Sign-in page (two IdPs)');
      await visit(alice, '/login', 'IdP chooser (two IdPs)');
      await visit(alice, '/login/ghost', 'Unknown IdP (404)', 404);
      await postFrom(
        alice,
        '/saml/acs/corp',
        { SAMLResponse: 'bm90IGEgU0FNTCByZXNwb25zZQ==' },
        'SAML refusal: not a SAML response',
      );
      await postFrom(alice, '/saml/acs/corp', { RelayState: '/' }, 'SAML refusal: no SAMLResponse');
      await alice.goto(`${base}/login`);
      await signInThroughIdp(
        alice,
        /Alice \(analyst\)/,
        () => alice.getByRole('link', { name: 'Corp SSO' }).click(),
        `${base}/`,
      );
      await audit.check(alice, 'Cluster chooser (one role)');
      await visit(alice, '/login', 'IdP chooser (the last one used first)');
      assert.equal(
        await alice.locator('.choices li').first().locator('.last-used').count(),
        1,
        'Corp SSO is remembered and listed first',
      );
      await visit(alice, '/admin', 'Admin console refused to a non-admin', 403);
      await postFrom(
        alice,
        '/credentials',
        { _csrf: 'forged', role: 'x', cluster: 'warehouse' },
        'Forged form refused (CSRF)',
      );

      report(t, audit, 33);
    },
  );

  it('finds none in demo mode either (the banner on every page)', { timeout: 90_000 }, async (t) => {
    const home = ServiceHome.create('a11y-demo');
    const demo = await home.spawn({ demo: true });
    try {
      const demoAudit = new AxeAudit();
      const page = await (await chromium.newContext()).newPage();
      await page.goto(`${demo.baseUrl}/`);
      await demoAudit.check(page, 'Demo: sign-in page');
      await Promise.all([
        page.waitForURL(/\/dev\/idp\/sso/, { waitUntil: 'load' }),
        page.getByRole('link', { name: /Sign in with Demo IdP/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: built-in IdP user picker');
      await Promise.all([
        page.waitForURL(`${demo.baseUrl}/`, { waitUntil: 'load' }),
        page.getByRole('button', { name: /Alice/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: cluster chooser');
      await Promise.all([
        page.waitForURL(`${demo.baseUrl}/credentials`, { waitUntil: 'load' }),
        page.getByRole('button', { name: /Get credentials for Demo cluster/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: credentials page');
      report(t, demoAudit, 4);
    } finally {
      await home.close();
    }
  });
});
