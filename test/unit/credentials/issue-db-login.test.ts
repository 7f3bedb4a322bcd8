// issueDbLogin with a recording fake Redshift: the credentials request with the role session and
// the identity, the connection strings, and the cluster's overrides of what the identity asks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import type { FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { aCluster, aFederatedIdentity } from '../../support/unit-builders.ts';
import { ANALYST, NOW, session, setup } from '../../support/issue-db-login-setup.ts';

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
});
