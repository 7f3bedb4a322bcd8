// "Test this cluster" in the admin console against the AWS emulator, through the real app and the
// real AWS SDK: the admin's own role sessions (from the SAML sign-in, sealed in the session) sign
// DescribeClusters / GetWorkgroup, each in the cluster's own account and region; nothing asks for a
// database password. Found, not found (also: the right name in the wrong region), denied (by AWS,
// and by the sign-in session policy), no role session, no role for that account, an expired session.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import type { ClusterTestResult } from '../../../src/credentials/cluster-test.ts';
import {
  startAppHarness,
  type AppHarness,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  UNLISTED_ROLE_ARN,
} from '../../support/app-harness.ts';
import { fileIdpEntry } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import {
  AWS_ROLE,
  fixtureKeys,
  OTHER_ACCOUNT,
  OTHER_PRINCIPAL_ARN,
  OTHER_ROLE_ARN,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../../support/sign-response.ts';

const IDP = 'corp';
const EU = 'eu-west-1';
const WORKGROUP_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const BOTH_ROLES = [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${OTHER_ROLE_ARN},${OTHER_PRINCIPAL_ARN}`];

const CLUSTERS = [
  { id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] },
  { id: 'gone', clusterIdentifier: 'gone-cluster', roles: [TEST_ROLE_ARN] },
  { id: 'pinned', clusterIdentifier: 'pinned-cluster', host: 'pinned.example.test', roles: [TEST_ROLE_ARN] },
  { id: 'eu-sales', clusterIdentifier: 'sales-cluster', region: EU, roles: [OTHER_ROLE_ARN] },
  { id: 'eu-sales-wrong-region', clusterIdentifier: 'sales-cluster', region: 'us-west-2', roles: [OTHER_ROLE_ARN] },
  {
    id: 'eu-finance',
    type: 'serverless',
    workgroup: 'finance-wg',
    workgroupId: WORKGROUP_ID,
    region: EU,
    roles: [OTHER_ROLE_ARN],
  },
];

interface TestAnswer {
  result: ClusterTestResult;
  signIn?: string;
}

async function testCluster(h: AppHarness, client: CookieClient, id: string): Promise<TestAnswer> {
  const res = await h.post(client, `/admin/clusters/${id}/test`, {});
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text) as TestAnswer;
}

describe('Test this cluster', () => {
  let emulator: AwsEmulator;
  let h: AppHarness;
  let admin: CookieClient;
  let clockOffsetMs = 0;

  before(async () => {
    const trusted = [fixtureKeys.idp.certificate];
    emulator = await startAwsEmulator({
      samlProviders: [
        { arn: TEST_PRINCIPAL_ARN, certs: trusted },
        { arn: OTHER_PRINCIPAL_ARN, certs: trusted },
      ],
      clusters: [
        {
          clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
          host: TEST_CLUSTER_HOST,
          port: 5439,
          region: 'us-east-1',
          accountId: '123456789012',
        },
        { clusterIdentifier: 'pinned-cluster', host: 'pinned.example.test', port: 5439, region: 'us-east-1' },
        {
          clusterIdentifier: 'sales-cluster',
          host: 'sales.eu.example.test',
          port: 5440,
          region: EU,
          accountId: OTHER_ACCOUNT,
          status: 'paused',
        },
      ],
      workgroups: [
        {
          workgroupName: 'finance-wg',
          workgroupId: WORKGROUP_ID,
          host: 'finance-wg.eu.example.test',
          port: 5439,
          region: EU,
          accountId: OTHER_ACCOUNT,
        },
      ],
    });
    h = await startAppHarness({
      admin: true,
      sharedEmulator: emulator,
      idps: [fileIdpEntry(IDP)],
      clusters: CLUSTERS,
      now: () => new Date(Date.now() + clockOffsetMs),
    });
    admin = h.newClient();
    await h.signInAsAdmin(admin, IDP, { extraAttributes: { [AWS_ROLE]: BOTH_ROLES } });
  });
  after(async () => {
    await h.close();
    await emulator.close();
  });

  it('finds a provisioned cluster with the role the cluster lists, and asks for no password', async () => {
    const callsBefore = emulator.calls.length;
    const { result } = await testCluster(h, admin, 'analytics');
    assert.equal(result.found, true, JSON.stringify(result));
    assert.equal(result.operation, 'DescribeClusters');
    assert.equal(result.roleArn, TEST_ROLE_ARN);
    assert.equal(result.status, 'available');
    assert.equal(result.host, TEST_CLUSTER_HOST);
    assert.equal(result.port, 5439);
    assert.equal(result.region, 'us-east-1');
    const calls = emulator.calls.slice(callsBefore);
    assert.deepEqual(
      calls.map((c) => [c.action, c.ok]),
      [['DescribeClusters', true]],
      'one DescribeClusters, no credential call',
    );
    assert.equal(result.awsRequestId, calls[0]?.requestId, 'the AWS request ID is reported');
  });

  it("finds a cluster and a workgroup in another account and region with that account's role session", async () => {
    const sales = (await testCluster(h, admin, 'eu-sales')).result;
    assert.equal(sales.found, true, JSON.stringify(sales));
    assert.deepEqual(
      [sales.roleArn, sales.region, sales.status, sales.host, sales.port],
      [OTHER_ROLE_ARN, EU, 'paused', 'sales.eu.example.test', 5440],
    );
    const finance = (await testCluster(h, admin, 'eu-finance')).result;
    assert.equal(finance.found, true, JSON.stringify(finance));
    assert.deepEqual(
      [finance.operation, finance.roleArn, finance.status, finance.host],
      ['GetWorkgroup', OTHER_ROLE_ARN, 'AVAILABLE', 'finance-wg.eu.example.test'],
    );
    assert.ok(!emulator.calls.some((c) => /Credentials/.test(c.action)), 'no credential call was ever made');
  });

  it('reports a cluster AWS does not have, and the right name in the wrong region, as not found', async () => {
    for (const [id, target, region] of [
      ['gone', 'gone-cluster', 'us-east-1'],
      ['eu-sales-wrong-region', 'sales-cluster', 'us-west-2'],
    ] as const) {
      const { result, signIn } = await testCluster(h, admin, id);
      assert.equal(result.found, false, id);
      assert.equal(result.error?.code, 'AWS_CLUSTER_NOT_FOUND', id);
      assert.ok(result.error?.message.includes(target) && result.error.message.includes(region), result.error?.message);
      assert.equal(result.signInAgain, false);
      assert.equal(signIn, undefined);
    }
  });

  it('reports AWS access denied with its stable code, from AWS and from the sign-in session policy', async () => {
    emulator.failNext('DescribeClusters', {
      code: 'AccessDenied',
      message: 'User is not authorized to perform: redshift:DescribeClusters',
      status: 403,
    });
    const denied = (await testCluster(h, admin, 'analytics')).result;
    assert.equal(denied.found, false);
    assert.equal(denied.error?.code, 'AWS_ACCESS_DENIED');
    assert.match(denied.error?.message ?? '', /DescribeClusters/);
    assert.ok(!(denied.error?.message ?? '').includes('User is not authorized'), "AWS's own text stays in the log");
    // An entry with a host: the role session's policy leaves DescribeClusters on it out.
    const pinned = (await testCluster(h, admin, 'pinned')).result;
    assert.equal(pinned.error?.code, 'AWS_ACCESS_DENIED');
    assert.deepEqual(pinned.configured, { host: 'pinned.example.test', port: 5439 });
    assert.match(pinned.note ?? '', /sign-ins use the configured host and port/);
    assert.equal(emulator.calls.at(-1)?.errorCode, 'AccessDenied', 'the emulator refused it by the session policy');
  });

  it('says so, with a link to sign in again, when the admin has no live role session', async () => {
    // An admin whose only role no cluster lists signs in with no role session at all.
    const bare = h.newClient();
    await h.signInAsAdmin(bare, IDP, { extraAttributes: { [AWS_ROLE]: `${UNLISTED_ROLE_ARN},${TEST_PRINCIPAL_ARN}` } });
    const none = await testCluster(h, bare, 'analytics');
    assert.equal(none.result.error?.code, 'ROLE_SESSION_MISSING');
    assert.equal(none.result.signInAgain, true);
    assert.equal(none.signIn, '/login?returnTo=%2Fadmin%2Fclusters');
    const html = await (await bare.postForm('/admin/clusters/analytics/test', { _csrf: await h.csrf(bare) })).text();
    assert.match(html, /ROLE_SESSION_MISSING/);
    assert.match(html, /<a href="\/login\?returnTo=%2Fadmin%2Fclusters">Sign in again<\/a>/);

    // Roles in one account only: the other account's cluster names the roles to sign in with.
    const oneAccount = h.newClient();
    await h.signInAsAdmin(oneAccount, IDP);
    const other = (await testCluster(h, oneAccount, 'eu-finance')).result;
    assert.equal(other.error?.code, 'NO_ROLE_FOR_ACCOUNT');
    assert.ok(
      other.error?.message.includes(OTHER_ACCOUNT) && other.error.message.includes(OTHER_ROLE_ARN),
      other.error?.message,
    );
    assert.equal(other.signInAgain, true);
  });

  it('says the role session expired, without calling AWS, once it has', async () => {
    const callsBefore = emulator.calls.length;
    clockOffsetMs = 2 * 3600_000;
    try {
      const { result, signIn } = await testCluster(h, admin, 'analytics');
      assert.equal(result.error?.code, 'AWS_SESSION_EXPIRED');
      assert.equal(result.signInAgain, true);
      assert.ok(signIn?.startsWith('/login'));
    } finally {
      clockOffsetMs = 0;
    }
    assert.equal(emulator.calls.length, callsBefore, 'no AWS call with an expired session');
  });

  it('shows clusters grouped by account, then region, with a CSRF-protected test form on each', async () => {
    const html = await (await admin.get('/admin/clusters')).text();
    const accounts = [...html.matchAll(/<h2 id="account-[^"]*">AWS account (\d+)<\/h2>/g)].map((m) => m[1]);
    assert.deepEqual(accounts, ['123456789012', OTHER_ACCOUNT]);
    const otherAccount = html.slice(html.indexOf(`AWS account ${OTHER_ACCOUNT}`));
    assert.deepEqual(
      [...otherAccount.matchAll(/Region ([a-z0-9-]+)<\/h3>/g)].map((m) => m[1]),
      [EU, 'us-west-2'],
    );
    for (const { id } of CLUSTERS) assert.ok(html.includes(`action="/admin/clusters/${id}/test"`), id);
    const callsBefore = emulator.calls.length;
    const withoutToken = await admin.postForm('/admin/clusters/analytics/test', {}, { accept: 'application/json' });
    assert.equal(withoutToken.status, 403);
    assert.match(await withoutToken.text(), /CSRF_TOKEN_INVALID/);
    assert.equal(emulator.calls.length, callsBefore, 'no AWS call without the CSRF token');
  });

  it('answers 404 CLUSTER_UNKNOWN for a cluster that does not exist', async () => {
    const res = await h.post(admin, '/admin/clusters/nope/test', {});
    assert.equal(res.status, 404);
    assert.match(await res.text(), /CLUSTER_UNKNOWN/);
  });
});
