// issueDbLogin with a recording fake Redshift: the role check, the sealed role session, the
// credentials request (provisioned and serverless), endpoint lookup and its cache.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import type { RoleGrant } from '../../../src/credentials/assume-roles.ts';
import { dbGroupsFor, EndpointCache, issueDbLogin, sslRootCertFor } from '../../../src/credentials/issue-db-login.ts';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import type { FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { aCluster, aFederatedIdentity, aRolePair, aRoleSession, roleArn } from '../../support/unit-builders.ts';
import { assertAppError, rejectionOf } from '../../support/unit-errors.ts';
import { createFakeRedshift, type FakeRedshift, type FakeRedshiftOptions } from '../../support/unit-fake-redshift.ts';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const ANALYST = aRolePair('RedshiftAnalyst');
const vault = createRoleSessionVault('a-session-secret-of-32-characters!');
const session = aRoleSession({ expiration: new Date(NOW.getTime() + 3600_000) });
const SESSION_ID = 'browser-session-1';
const BINDING = { sessionId: SESSION_ID, idpId: aFederatedIdentity().idpId, nameId: aFederatedIdentity().nameId };

function aGrant(overrides: Partial<RoleGrant> = {}): RoleGrant {
  return {
    ...ANALYST,
    status: 'ready',
    sealed: vault.seal(session, BINDING),
    expiresAt: session.expiration.toISOString(),
    ...overrides,
  };
}

interface Setup {
  clusters?: ClusterConfig[];
  redshift?: FakeRedshiftOptions;
  endpoints?: EndpointCache;
  now?: () => Date;
}

function setup(options: Setup = {}) {
  const now = options.now ?? (() => NOW);
  const redshift: FakeRedshift = createFakeRedshift({ now, ...options.redshift });
  const deps = {
    redshift,
    vault,
    clusters: options.clusters ?? [aCluster()],
    defaultRegion: 'us-east-1',
    endpoints: options.endpoints ?? new EndpointCache(),
    now,
  };
  const issue = (
    input: { identity?: FederatedIdentity; grant?: RoleGrant; clusterId?: string; sessionId?: string } = {},
  ) =>
    issueDbLogin(deps, {
      identity: input.identity ?? aFederatedIdentity(),
      grant: input.grant ?? aGrant(),
      clusterId: input.clusterId ?? 'analytics',
      sessionId: input.sessionId ?? SESSION_ID,
    });
  return { redshift, issue };
}

describe('issueDbLogin', () => {
  it('gets cluster credentials with the role session and the identity, then the endpoint', async () => {
    const { redshift, issue } = setup({
      clusters: [aCluster({ region: 'eu-west-1', database: 'sales', durationSeconds: 1200 })],
    });
    const login = await issue({
      identity: aFederatedIdentity({ dbUser: 'alice', dbGroups: ['analysts', 'finance'], autoCreate: false }),
    });

    const [call] = redshift.callsTo('getClusterCredentials');
    assert.ok(call !== undefined);
    assert.equal(call.session.accessKeyId, session.accessKeyId);
    assert.equal(call.session.sessionToken, session.sessionToken);
    assert.deepEqual(call.input, {
      region: 'eu-west-1',
      clusterIdentifier: 'analytics-cluster',
      dbUser: 'alice',
      dbName: 'sales',
      durationSeconds: 1200,
      autoCreate: false,
      dbGroups: ['analysts', 'finance'],
    });
    const [describeCall] = redshift.callsTo('describeClusterEndpoint');
    assert.deepEqual(describeCall && [describeCall.region, describeCall.clusterIdentifier], [
      'eu-west-1',
      'analytics-cluster',
    ]);

    assert.equal(login.clusterId, 'analytics');
    assert.equal(login.roleArn, ANALYST.roleArn);
    assert.equal(login.dbUser, 'IAM:alice');
    assert.equal(login.dbPassword, 'AbC/dE+fG==');
    assert.equal(login.host, 'analytics-cluster.abc123.eu-west-1.redshift.amazonaws.com');
    assert.equal(login.port, 5439);
    assert.equal(login.database, 'sales');
    assert.equal(login.sslMode, 'verify-full');
    assert.equal(login.expiration.getTime(), NOW.getTime() + 1200_000);
    assert.deepEqual(login.awsRequestIds, ['req-1', 'req-2']);
  });

  it('builds connection strings with the user name escaped for libpq', async () => {
    const { issue } = setup();
    const login = await issue();
    assert.ok(login.connectionStrings.uri.startsWith('postgresql://IAM%3Aalice:'), login.connectionStrings.uri);
    assert.ok(login.connectionStrings.uri.includes('AbC%2FdE%2BfG%3D%3D@'), login.connectionStrings.uri);
    assert.ok(login.connectionStrings.jdbc.includes('user=IAM%3Aalice'));
    assert.ok(login.connectionStrings.uri.endsWith('/dev?sslmode=verify-full&sslrootcert=system'));
  });

  it('uses the default region when the cluster names none', async () => {
    const { redshift, issue } = setup();
    await issue();
    assert.equal(redshift.callsTo('getClusterCredentials')[0]?.input.region, 'us-east-1');
  });

  const overrides: Array<{
    name: string;
    cluster: Partial<ClusterConfig>;
    identity: Partial<FederatedIdentity>;
    autoCreate: boolean;
    dbGroups: string[];
  }> = [
    {
      name: 'identity values when the cluster sets none',
      cluster: {},
      identity: { autoCreate: true, dbGroups: ['analysts'] },
      autoCreate: true,
      dbGroups: ['analysts'],
    },
    {
      name: 'the cluster autoCreate false over the identity true',
      cluster: { autoCreate: false },
      identity: { autoCreate: true },
      autoCreate: false,
      dbGroups: ['analysts'],
    },
    {
      name: 'the cluster autoCreate true over the identity false',
      cluster: { autoCreate: true },
      identity: { autoCreate: false },
      autoCreate: true,
      dbGroups: ['analysts'],
    },
    {
      name: 'the cluster dbGroups over the identity ones',
      cluster: { dbGroups: ['readonly'] },
      identity: { dbGroups: ['admins'] },
      autoCreate: false,
      dbGroups: ['readonly'],
    },
    {
      name: 'an empty cluster dbGroups over the identity ones',
      cluster: { dbGroups: [] },
      identity: { dbGroups: ['admins'] },
      autoCreate: false,
      dbGroups: [],
    },
  ];
  for (const c of overrides) {
    it(`sends ${c.name}`, async () => {
      const { redshift, issue } = setup({ clusters: [aCluster(c.cluster)] });
      await issue({ identity: aFederatedIdentity({ dbGroups: ['analysts'], ...c.identity }) });
      const input = redshift.callsTo('getClusterCredentials')[0]?.input;
      assert.equal(input?.autoCreate, c.autoCreate);
      assert.deepEqual(input?.dbGroups, c.dbGroups);
    });
  }

  it('takes host and port from the configuration without DescribeClusters', async () => {
    const { redshift, issue } = setup({ clusters: [aCluster({ host: 'redshift.internal.example', port: 5440 })] });
    const login = await issue();
    assert.equal(redshift.callsTo('describeClusterEndpoint').length, 0);
    assert.deepEqual([login.host, login.port], ['redshift.internal.example', 5440]);
    assert.deepEqual(login.awsRequestIds, ['req-1']);
  });

  it('defaults the configured host to port 5439', async () => {
    const { issue } = setup({ clusters: [aCluster({ host: 'redshift.internal.example' })] });
    assert.equal((await issue()).port, 5439);
  });

  it('calls DescribeClusters once and then uses the cached endpoint', async () => {
    const { redshift, issue } = setup({ redshift: { clusterEndpoint: { host: 'found.example', port: 5439 } } });
    const first = await issue();
    const second = await issue();
    assert.equal(redshift.callsTo('describeClusterEndpoint').length, 1);
    assert.equal(redshift.callsTo('getClusterCredentials').length, 2);
    assert.deepEqual([first.host, second.host], ['found.example', 'found.example']);
  });

  it('applies a configured port to a looked-up host, cached or not', async () => {
    const { issue } = setup({
      clusters: [aCluster({ port: 5440 })],
      redshift: { clusterEndpoint: { host: 'found.example', port: 5439 } },
    });
    const first = await issue();
    const second = await issue();
    assert.deepEqual([first.port, second.port], [5440, 5440]);
  });

  it('looks the endpoint up again once the cache entry is older than its TTL', async () => {
    let now = NOW;
    const { redshift, issue } = setup({ now: () => now, endpoints: new EndpointCache(60_000) });
    await issue();
    now = new Date(NOW.getTime() + 59_000);
    await issue();
    assert.equal(redshift.callsTo('describeClusterEndpoint').length, 1);
    now = new Date(NOW.getTime() + 61_000);
    await issue();
    assert.equal(redshift.callsTo('describeClusterEndpoint').length, 2);
  });

  it('keeps the cache per cluster', async () => {
    const clusters = [aCluster(), aCluster({ id: 'finance', clusterIdentifier: 'finance-cluster' })];
    const { redshift, issue } = setup({ clusters });
    const a = await issue({ clusterId: 'analytics' });
    const b = await issue({ clusterId: 'finance' });
    assert.deepEqual(
      redshift.callsTo('describeClusterEndpoint').map((c) => c.clusterIdentifier),
      ['analytics-cluster', 'finance-cluster'],
    );
    assert.notEqual(a.host, b.host);
  });

  it('uses GetCredentials and GetWorkgroup for a serverless workgroup', async () => {
    const cluster = aCluster({
      id: 'lake',
      type: 'serverless',
      clusterIdentifier: undefined,
      workgroup: 'lake-wg',
      region: 'eu-central-1',
      database: 'lake',
      durationSeconds: 1800,
    });
    const { redshift, issue } = setup({
      clusters: [cluster],
      redshift: { workgroupEndpoint: { host: 'lake-wg.example', port: 5440 } },
    });
    const login = await issue({ clusterId: 'lake' });
    assert.equal(redshift.callsTo('getClusterCredentials').length, 0);
    assert.equal(redshift.callsTo('describeClusterEndpoint').length, 0);
    assert.deepEqual(redshift.callsTo('getServerlessCredentials')[0]?.input, {
      region: 'eu-central-1',
      workgroupName: 'lake-wg',
      dbName: 'lake',
      durationSeconds: 1800,
    });
    const [wg] = redshift.callsTo('getWorkgroupEndpoint');
    assert.deepEqual(wg && [wg.region, wg.workgroupName], ['eu-central-1', 'lake-wg']);
    assert.deepEqual(
      [login.dbUser, login.host, login.port, login.database],
      ['IAMR:RedshiftAnalyst', 'lake-wg.example', 5440, 'lake'],
    );
    await issue({ clusterId: 'lake' });
    assert.equal(redshift.callsTo('getWorkgroupEndpoint').length, 1);
  });

  const refused: Array<{
    name: string;
    clusters?: ClusterConfig[];
    grant?: () => RoleGrant;
    clusterId?: string;
    sessionId?: string;
    identity?: FederatedIdentity;
    code: string;
    status: number;
  }> = [
    {
      name: 'a role the cluster does not list',
      grant: () => aGrant({ roleArn: roleArn('Intruder') }),
      code: 'ROLE_NOT_PERMITTED',
      status: 403,
    },
    { name: 'a cluster that is not configured', clusterId: 'nope', code: 'CLUSTER_UNKNOWN', status: 404 },
    {
      name: 'an expired role session',
      grant: () =>
        aGrant({ sealed: vault.seal(aRoleSession({ expiration: new Date(NOW.getTime() - 1000) }), BINDING) }),
      code: 'AWS_SESSION_EXPIRED',
      status: 401,
    },
    {
      name: 'a role session expiring right now',
      grant: () => aGrant({ sealed: vault.seal(aRoleSession({ expiration: NOW }), BINDING) }),
      code: 'AWS_SESSION_EXPIRED',
      status: 401,
    },
    {
      name: 'a grant without a sealed session',
      grant: () => aGrant({ sealed: undefined }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed with another secret',
      grant: () =>
        aGrant({ sealed: createRoleSessionVault('another-session-secret-of-32-chars!').seal(session, BINDING) }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for another browser session (copied into this one)',
      sessionId: 'browser-session-2',
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for another person',
      identity: aFederatedIdentity({ nameId: 'bob@example.com' }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for the same NameID at another IdP',
      identity: aFederatedIdentity({ idpId: 'other' }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    { name: 'a request without a session ID', sessionId: '', code: 'ROLE_SESSION_MISSING', status: 401 },
    {
      name: 'a role STS refused at sign-in',
      grant: () =>
        aGrant({
          status: 'refused',
          sealed: undefined,
          error: { code: 'AWS_ACCESS_DENIED', status: 403, message: 'denied' },
        }),
      code: 'AWS_ACCESS_DENIED',
      status: 403,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.code} before calling Redshift`, async () => {
      const { redshift, issue } = setup({ clusters: c.clusters });
      assertAppError(
        await rejectionOf(
          issue({ grant: c.grant?.(), clusterId: c.clusterId, sessionId: c.sessionId, identity: c.identity }),
        ),
        c.code,
        c.status,
      );
      assert.equal(redshift.calls.length, 0);
    });
  }

  const awsFailures: Array<{
    op: 'getClusterCredentials' | 'describeClusterEndpoint';
    sdkName: string;
    code: string;
    status: number;
  }> = [
    { op: 'getClusterCredentials', sdkName: 'ExpiredTokenException', code: 'AWS_SESSION_EXPIRED', status: 401 },
    { op: 'getClusterCredentials', sdkName: 'AccessDenied', code: 'AWS_ACCESS_DENIED', status: 403 },
    { op: 'getClusterCredentials', sdkName: 'ClusterNotFoundFault', code: 'AWS_CLUSTER_NOT_FOUND', status: 404 },
    { op: 'describeClusterEndpoint', sdkName: 'ThrottlingException', code: 'AWS_UNAVAILABLE', status: 502 },
  ];
  for (const c of awsFailures) {
    it(`passes on ${c.code} when ${c.op} fails with ${c.sdkName}`, async () => {
      const { redshift, issue } = setup();
      redshift.failWith(c.op, c.sdkName);
      assertAppError(await rejectionOf(issue()), c.code, c.status);
    });
  }
});

describe('issueDbLogin cluster policies', () => {
  it('uses GetClusterCredentialsWithIAM when the cluster says so (no DbUser, no groups)', async () => {
    const { redshift, issue } = setup({ clusters: [aCluster({ credentialsApi: 'GetClusterCredentialsWithIAM' })] });
    const login = await issue();
    assert.equal(login.dbUser, 'IAMR:RedshiftAnalyst');
    assert.equal(redshift.callsTo('getClusterCredentialsWithIam').length, 1);
    assert.equal(redshift.callsTo('getClusterCredentials').length, 0);
  });

  const groupCases: Array<{ name: string; cluster: Partial<ClusterConfig>; fromSaml: string[]; expected: string[] }> = [
    { name: 'as sent by SAML', cluster: {}, fromSaml: ['analysts', 'admins'], expected: ['analysts', 'admins'] },
    {
      name: 'fixed by the cluster',
      cluster: { dbGroups: ['readonly'] },
      fromSaml: ['analysts', 'admins'],
      expected: ['readonly'],
    },
    {
      name: 'filtered by a whole-name pattern',
      cluster: { dbGroupsFilter: 'analysts|bi_.*' },
      fromSaml: ['analysts', 'analysts_x', 'bi_sales', 'admins'],
      expected: ['analysts', 'bi_sales'],
    },
  ];
  for (const c of groupCases) {
    it(`passes DbGroups ${c.name}`, () => {
      assert.deepEqual(dbGroupsFor(aCluster(c.cluster), c.fromSaml), c.expected);
    });
  }

  // Patterns on which a backtracking engine (JavaScript's) takes exponential time for a name that
  // almost matches: on a 127-character group name (the longest SAML may send), (a+)+ alone would
  // never finish. RE2 answers in time linear in the name.
  const longest = 'a'.repeat(127);
  const almost = ['a'.repeat(126) + '-', 'a'.repeat(125) + '+@', 'aaaaaaa-'];
  const catastrophic: Array<{ pattern: string; expected: string[] }> = [
    { pattern: '(a+)+', expected: [longest] },
    { pattern: '(a|aa)+', expected: [longest] },
    { pattern: '(a|a?)+', expected: [longest] },
    { pattern: '(.*a){20}', expected: [longest] },
    { pattern: '([a-z]+)*[0-9]', expected: [] },
    { pattern: '(\\w+\\w?)+_end', expected: [] },
  ];
  for (const c of catastrophic) {
    it(`filters 127-character groups with ${c.pattern} in linear time`, () => {
      assert.deepEqual(dbGroupsFor(aCluster({ dbGroupsFilter: c.pattern }), [...almost, longest]), c.expected);
    });
  }
});

describe('sslRootCertFor', () => {
  const cluster = (fields: Partial<ClusterConfig>): ClusterConfig => ({ ...aCluster(), ...fields });
  const table: Array<[string, Partial<ClusterConfig>, string | undefined, string | undefined]> = [
    ['verify-full without a bundle: the OS trust store (libpq 16+)', { sslMode: 'verify-full' }, undefined, 'system'],
    [
      'verify-ca without a bundle: nothing (libpq refuses system below verify-full)',
      { sslMode: 'verify-ca' },
      undefined,
      undefined,
    ],
    [
      'a bundle: the file the page offers',
      { sslMode: 'verify-full', caBundle: 'PEM' },
      undefined,
      'redshift-sso-analytics-ca.pem',
    ],
    [
      'a bundle and the path the client installed it at',
      { sslMode: 'verify-ca', caBundle: 'PEM' },
      '/home/a/.config/ca.pem',
      '/home/a/.config/ca.pem',
    ],
    ['no verification: nothing', { sslMode: 'require', caBundle: 'PEM' }, '/x.pem', undefined],
  ];
  for (const [what, fields, caFile, expected] of table) {
    it(what, () => assert.equal(sslRootCertFor(cluster({ id: 'analytics', ...fields }), caFile), expected));
  }
});
