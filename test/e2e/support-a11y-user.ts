// The user side of the accessibility walk (accessibility.test.ts): Bob's role and cluster choosers,
// credentials, the cluster test and the CLI's approval and device pages; then Alice with two IdPs,
// her pages and the refusals a user can meet.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { authorizeParams, authorizePath } from '../support/cli-flow.ts';
import { DEVICE_GRANT_TYPE } from '../../src/web/routes/cli-api.ts';
import type { A11yWalk } from './support-a11y.ts';

/** Bob, signed in as admin, as a user: choosers, credentials, the cluster test and the CLI's pages. */
export async function bobsUserAndCliPages(w: A11yWalk, admin: Page): Promise<void> {
  const { install, base, visit, clickTo } = w;
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
}

/** Alice: the sign-in pages with two IdPs, her sign-in, and the refusals a user can meet. */
export async function alicePages(w: A11yWalk): Promise<void> {
  const { chromium, base, audit, visit, postFrom, signInThroughIdp } = w;
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
}
