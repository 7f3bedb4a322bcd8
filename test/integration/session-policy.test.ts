// Least privilege for the role sessions the service holds. Alice signs in through the real app; her
// role session, taken from her server-side session as the service keeps it, is then used directly
// with the real AWS SDK against the emulator, which enforces the session policy STS was given: it
// cannot get bob's password, nor reach a cluster or workgroup her role does not map to. The
// service's own path still works, and a cluster that opts out gets an unscoped session.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  DescribeClustersCommand,
  GetClusterCredentialsCommand,
  GetClusterCredentialsWithIAMCommand,
  type GetClusterCredentialsCommandInput,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import {
  startAppHarness,
  SECOND_ROLE_ARN,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  type AppHarness,
} from '../support/app-harness.ts';
import { clusterFields, explicitIdpFields } from '../support/admin-forms.ts';
import { assertJsonError } from '../support/app-assertions.ts';
import type { RoleSession } from '../../src/aws/ports.ts';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';
import { setupTokenClient } from '../support/admin-pages.ts';

const REGION = 'us-east-1';
const OTHER_CLUSTER = 'finance-cluster';
const WORKGROUP_ID = '6c0b8a1e-2f4d-4e3a-9b7c-1d2e3f4a5b6c';
const emulator = {
  clusters: [
    { clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: 5439 },
    { clusterIdentifier: OTHER_CLUSTER, host: 'finance.example.test', port: 5439 },
  ],
  workgroups: [{ workgroupName: 'finance-wg', workgroupId: WORKGROUP_ID, host: 'finance-wg.example.test', port: 5439 }],
};
/** Alice's role may use `analytics`; the finance cluster and workgroup belong to another role. */
const clusters = (analytics: Record<string, unknown> = {}) => [
  { id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN], ...analytics },
  { id: 'finance', clusterIdentifier: OTHER_CLUSTER, roles: [SECOND_ROLE_ARN] },
  {
    id: 'finance-wg',
    type: 'serverless',
    workgroup: 'finance-wg',
    workgroupId: WORKGROUP_ID,
    roles: [SECOND_ROLE_ARN],
  },
];

async function aliceSession(h: AppHarness): Promise<RoleSession> {
  const res = await h.signIn();
  assert.equal(res.status, 303, `alice signs in (${res.status})`);
  const [session, ...others] = await h.roleSessionsOf();
  assert.ok(session !== undefined && others.length === 0, 'one role session, as the service holds it');
  return session;
}

function redshiftAs(h: AppHarness, session: RoleSession): RedshiftClient {
  return new RedshiftClient({ endpoint: h.emulator.url, region: REGION, maxAttempts: 1, credentials: session });
}

async function refused(promise: Promise<unknown>, name: string, resource: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    const {
      name: actual,
      message,
      $metadata,
    } = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    assert.equal(actual, name);
    assert.equal($metadata?.httpStatusCode, 403);
    assert.ok(message.includes(`on resource: ${resource}`), message);
    assert.match(message, /because no session policy allows/);
    return true;
  });
}

describe('session policy on the role sessions', () => {
  let h: AppHarness;
  afterEach(() => h.close());

  it("refuses alice's role session bob's credentials and clusters her role does not map to", async () => {
    h = await startAppHarness({ clusters: clusters(), emulator });
    const session = await aliceSession(h);
    const redshift = redshiftAs(h, session);
    const arn = (resource: string) => `arn:aws:redshift:${REGION}:123456789012:${resource}`;

    const own = await redshift.send(
      new GetClusterCredentialsCommand({
        ClusterIdentifier: TEST_CLUSTER_IDENTIFIER,
        DbUser: 'alice',
        DbName: 'dev',
        DbGroups: ['analysts'],
      }),
    );
    assert.equal(own.DbUser, 'IAM:alice', 'her own DbUser on her cluster is allowed');

    /** GetClusterCredentials for alice on her cluster, with `input` over that, refused at `resource`. */
    const refusedCredentials = (input: Partial<GetClusterCredentialsCommandInput>, resource: string) =>
      refused(
        redshift.send(
          new GetClusterCredentialsCommand({ ClusterIdentifier: TEST_CLUSTER_IDENTIFIER, DbUser: 'alice', ...input }),
        ),
        'AccessDenied',
        arn(resource),
      );
    await refusedCredentials({ DbUser: 'bob', DbName: 'dev' }, `dbuser:${TEST_CLUSTER_IDENTIFIER}/bob`);
    await refusedCredentials({ ClusterIdentifier: OTHER_CLUSTER, DbName: 'dev' }, `dbuser:${OTHER_CLUSTER}/alice`);
    await refusedCredentials({ DbName: 'payroll' }, `dbname:${TEST_CLUSTER_IDENTIFIER}/payroll`);
    await refusedCredentials({ DbGroups: ['admins'] }, `dbgroup:${TEST_CLUSTER_IDENTIFIER}/admins`);
    await refusedCredentials({ AutoCreate: true }, `dbuser:${TEST_CLUSTER_IDENTIFIER}/alice`);
    await refused(
      redshift.send(
        new GetClusterCredentialsWithIAMCommand({ ClusterIdentifier: TEST_CLUSTER_IDENTIFIER, DbName: 'dev' }),
      ),
      'AccessDenied',
      arn(`dbname:${TEST_CLUSTER_IDENTIFIER}/dev`),
    );
    await refused(
      redshift.send(new DescribeClustersCommand({ ClusterIdentifier: OTHER_CLUSTER })),
      'AccessDenied',
      arn(`cluster:${OTHER_CLUSTER}`),
    );
    await refused(redshift.send(new DescribeClustersCommand({})), 'AccessDenied', arn('cluster:*'));
    const serverless = new RedshiftServerlessClient({
      endpoint: h.emulator.url,
      region: REGION,
      maxAttempts: 1,
      credentials: session,
    });
    await refused(
      serverless.send(new GetCredentialsCommand({ workgroupName: 'finance-wg' })),
      'AccessDeniedException',
      `arn:aws:redshift-serverless:${REGION}:123456789012:workgroup/${WORKGROUP_ID}`,
    );
    assert.equal(
      h.emulator.calls.filter((c) => c.errorCode === 'ClusterNotFound').length,
      0,
      'refused by the policy, not for want of a cluster',
    );

    const res = await h.client.postJson('/api/credentials', { cluster: 'analytics' });
    assert.equal(res.status, 200, "the service's own path still works");
    assert.equal(((await res.json()) as { dbUser: string }).dbUser, 'IAM:alice');
  });

  it('scopes a serverless session to the workgroup it names, and maps a refusal to AWS_ACCESS_DENIED', async () => {
    const workgroup = { id: 'wg', type: 'serverless', workgroup: 'finance-wg', roles: [TEST_ROLE_ARN] };
    h = await startAppHarness({ clusters: [{ ...workgroup, workgroupId: WORKGROUP_ID }], emulator });
    await aliceSession(h);
    const ok = await h.client.postJson('/api/credentials', { cluster: 'wg' });
    assert.equal(ok.status, 200, 'GetCredentials and GetWorkgroup are allowed on the named workgroup');
    assert.equal(((await ok.json()) as { dbUser: string }).dbUser, 'IAMR:RedshiftAnalyst');
    await h.close();

    // The entry names another workgroup ID than the one AWS has: the session does not reach it.
    h = await startAppHarness({
      clusters: [{ ...workgroup, workgroupId: '00000000-0000-4000-8000-000000000000' }],
      emulator,
    });
    await aliceSession(h);
    const denied = await h.client.postJson('/api/credentials', { cluster: 'wg' });
    const error = await assertJsonError(denied, 403, 'AWS_ACCESS_DENIED');
    assert.match(error.message, /sign in again/);
    assert.ok(!error.message.includes('assumed-role'), "AWS's own text stays in the logs");
    const events = await h.service.store.queryAudit({});
    assert.ok(
      events.some((e) => e.kind === 'credentials_refused' && e.code === 'AWS_ACCESS_DENIED'),
      'the refusal is audited',
    );
  });

  it('sends no session policy for a role that may use a cluster which opts out', async () => {
    h = await startAppHarness({
      clusters: [
        ...clusters(),
        { id: 'wide', clusterIdentifier: OTHER_CLUSTER, roles: [TEST_ROLE_ARN], sessionPolicy: false },
      ],
      emulator,
    });
    const session = await aliceSession(h);
    const assume = h.emulator.calls.find((c) => c.action === 'AssumeRoleWithSAML');
    assert.equal(assume?.params.Policy, undefined);
    // Unscoped, the session can do whatever the role can: the trade-off an opt-out makes.
    const bob = await redshiftAs(h, session).send(
      new GetClusterCredentialsCommand({ ClusterIdentifier: TEST_CLUSTER_IDENTIFIER, DbUser: 'bob' }),
    );
    assert.equal(bob.DbUser, 'IAM:bob');
  });
});

describe('session policy setting in the admin console', () => {
  it('saves the opt-out and the workgroup ID, and sign-ins follow it', async () => {
    const admin = await startAppHarness({ admin: true });
    try {
      const first = await setupTokenClient(admin);
      await admin.saveFirstIdp(first, explicitIdpFields('corp'));
      // The setup session ended with the first IdP; the console's admin signs in through it.
      const setup = admin.newClient();
      await admin.signInAsAdmin(setup, 'corp');
      const form = await (await setup.get('/admin/clusters')).text();
      assert.match(form, /<select name="sessionPolicy"><option value="on" selected>/, 'on unless turned off');

      const assumeCall = async (): Promise<Record<string, unknown> | undefined> => {
        const mark = admin.emulator.calls.length;
        assert.equal((await admin.signIn(admin.newClient(), 'corp')).res.status, 303);
        return admin.emulator.calls.slice(mark).find((c) => c.action === 'AssumeRoleWithSAML')?.params;
      };
      assert.equal((await admin.post(setup, '/admin/clusters', clusterFields('warehouse'))).status, 303);
      assert.match(String((await assumeCall())?.Policy), /dbuser:analytics-cluster\/alice"/);

      assert.equal(
        (await admin.post(setup, '/admin/clusters', clusterFields('warehouse', { sessionPolicy: 'off' }))).status,
        303,
      );
      const [record] = await admin.service.store.listConnections('cluster');
      assert.equal((record?.entry as { sessionPolicy?: unknown }).sessionPolicy, false);
      assert.match(await (await setup.get('/admin/clusters')).text(), /<td>off<\/td>/);
      assert.equal((await assumeCall())?.Policy, undefined);

      const serverless = {
        type: 'serverless',
        clusterIdentifier: '',
        workgroup: 'finance-wg',
        workgroupId: WORKGROUP_ID,
      };
      assert.equal((await admin.post(setup, '/admin/clusters', clusterFields('warehouse', serverless))).status, 303);
      assert.match(String((await assumeCall())?.Policy), new RegExp(`workgroup/${WORKGROUP_ID}"`));
      const wrong = await admin.post(setup, '/admin/clusters', clusterFields('other', { workgroupId: 'not-a-uuid' }));
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), /workgroupId/);
    } finally {
      await admin.close();
    }
  });
});
