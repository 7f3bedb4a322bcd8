// issueDbLogin's endpoints: host and port from the configuration, DescribeClusters with its cache
// (per cluster, with a TTL), and GetCredentials and GetWorkgroup for a serverless workgroup.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointCache } from '../../../src/credentials/issue-db-login.ts';
import { aCluster } from '../../support/unit-builders.ts';
import { NOW, setup } from '../../support/issue-db-login-setup.ts';

describe('issueDbLogin endpoints', () => {
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
});
