// The admin side of the accessibility walk (accessibility.test.ts): the pages before any IdP, the setup
// token opening the console and adding the first IdP, then Bob, signed in as admin, adding a second IdP
// and meeting the settings, clusters and audit pages with their errors.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { A11yWalk } from './support-a11y.ts';

/**
 * The sign-in page, chooser, setup form and a 404 before any IdP; then the setup session adds the first IdP.
 * Returns the admin's page.
 */
export async function setUpThroughConsole(w: A11yWalk): Promise<Page> {
  const { chromium, install, base, audit, visit, clickTo } = w;
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

  return admin;
}

/**
 * Bob signs in through the first IdP as admin and walks the console: a second IdP, its settings, clusters,
 * the audit trail.
 */
export async function adminConsolePages(w: A11yWalk, admin: Page): Promise<void> {
  const { install, base, audit, visit, clickTo, signInThroughIdp } = w;
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
}
