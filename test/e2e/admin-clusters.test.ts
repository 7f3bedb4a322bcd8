// The cluster page in headless Chromium: an admin signs in through the browser (a loopback
// stand-in IdP answers the real AuthnRequest with a response signed by the test IdP key), sees
// clusters grouped by AWS account and then region, and tests two of them against the AWS emulator:
// one found in another account and region, with its endpoint; one that AWS does not have, with its
// stable error code. No database password is ever requested.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import {
  startAppHarness,
  type AppHarness,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
} from '../support/app-harness.ts';
import { ADMIN_GROUP } from '../support/admin-forms.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import {
  aSamlResponse,
  AWS_ROLE,
  fixtureKeys,
  REDSHIFT_DB_GROUPS,
  TEST_IDP_ISSUER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
  OTHER_ACCOUNT,
  OTHER_PRINCIPAL_ARN,
  OTHER_ROLE_ARN,
} from '../support/sign-response.ts';

const IDP = 'corp';

/**
 * A stand-in IdP on a loopback port: answers the SP's AuthnRequest (HTTP-Redirect) with a page that
 * posts a response to it, signed with the test IdP key, for an admin holding roles in two accounts.
 */
async function startStandInIdp(acsUrl: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp.invalid');
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    const inResponseTo = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
    const response = aSamlResponse({
      destination: acsUrl(),
      recipient: acsUrl(),
      inResponseTo,
      extraAttributes: {
        [REDSHIFT_DB_GROUPS]: [ADMIN_GROUP],
        [AWS_ROLE]: [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${OTHER_ROLE_ARN},${OTHER_PRINCIPAL_ARN}`],
      },
    });
    const relayState = url.searchParams.get('RelayState');
    const relay =
      relayState === null
        ? ''
        : `<input type="hidden" name="RelayState" value="${relayState.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`)}">`;
    res.setHeader('content-type', 'text/html');
    res.end(
      `<form method="post" action="${acsUrl()}"><input type="hidden" name="SAMLResponse" value="${response}">${relay}</form><script>document.forms[0].submit()</script>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the cluster page in a browser', () => {
  let emulator: AwsEmulator;
  let h: AppHarness;
  let chromium: LaunchedChromium;
  let idp: { url: string; close(): Promise<void> };

  before(async () => {
    idp = await startStandInIdp(() => h.acsUrlOf(IDP));
    emulator = await startAwsEmulator({
      samlProviders: [
        { arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] },
        { arn: OTHER_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] },
      ],
      clusters: [
        {
          clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
          host: TEST_CLUSTER_HOST,
          port: 5439,
          region: 'us-east-1',
          accountId: '123456789012',
        },
        {
          clusterIdentifier: 'sales-cluster',
          host: 'sales.eu.example.test',
          port: 5440,
          region: 'eu-west-1',
          accountId: OTHER_ACCOUNT,
        },
      ],
    });
    h = await startAppHarness({
      admin: true,
      sharedEmulator: emulator,
      idps: [
        {
          id: IDP,
          name: 'Corp IdP',
          entityId: TEST_IDP_ISSUER,
          ssoUrl: `${idp.url}/sso`,
          certs: [fixtureKeys.idp.certificate],
        },
      ],
      clusters: [
        { id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] },
        { id: 'eu-sales', clusterIdentifier: 'sales-cluster', region: 'eu-west-1', roles: [OTHER_ROLE_ARN] },
        { id: 'eu-gone', clusterIdentifier: 'gone-cluster', region: 'eu-west-1', roles: [OTHER_ROLE_ARN] },
      ],
    });
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    await h?.close();
    await emulator?.close();
    await idp?.close();
  });

  it('groups clusters by account and region, and tests them with the signed-in admin’s role sessions', async () => {
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(`${h.baseUrl}/admin/clusters`);
    // Not signed in: to the sign-in, through the stand-in IdP, back to the cluster page.
    await page.waitForURL(`${h.baseUrl}/admin/clusters`);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Clusters');

    const accounts = await page.locator('section.cluster-account > h2').allTextContents();
    assert.deepEqual(accounts, ['AWS account 123456789012', `AWS account ${OTHER_ACCOUNT}`]);
    const otherAccount = page.locator('section.cluster-account').nth(1);
    assert.deepEqual(await otherAccount.locator('h3').allTextContents(), ['Region eu-west-1']);
    assert.deepEqual(
      await otherAccount
        .locator('tr[data-cluster]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster'))),
      ['eu-gone', 'eu-sales'],
    );

    await page.getByRole('button', { name: 'Test this cluster: eu-sales' }).click();
    const result = page.getByRole('status');
    await result.waitFor();
    assert.match((await result.locator('h2').textContent()) ?? '', /Test of cluster eu-sales: found/);
    assert.equal(await result.locator('.test-endpoint').textContent(), 'sales.eu.example.test:5440');
    assert.equal(await result.locator('.test-status').textContent(), 'available');
    assert.match((await result.textContent()) ?? '', new RegExp(OTHER_ROLE_ARN));

    await page.getByRole('button', { name: 'Test this cluster: eu-gone' }).click();
    await page.locator('.test-result.failed').waitFor();
    assert.equal(await page.locator('.test-result .test-code').textContent(), 'AWS_CLUSTER_NOT_FOUND');
    assert.match((await page.locator('.test-result').textContent()) ?? '', /No database password was requested/);

    const actions = emulator.calls
      .filter((c) => c.service !== 'sts')
      .map((c) => `${c.action}:${c.ok ? 'ok' : (c.errorCode ?? '')}`);
    assert.deepEqual(actions, ['DescribeClusters:ok', 'DescribeClusters:ClusterNotFound']);
    assert.deepEqual(chromium.dialogs, []);
    await context.close();
  });
});
