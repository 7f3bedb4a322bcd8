// A provisioned cluster reached through a custom domain (CNAME): AWS is asked by
// CustomDomainName, and the connection strings name that domain.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startAppHarness,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  TEST_CLUSTER_PORT,
  type AppHarness,
} from '../support/app-harness.ts';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';

const DOMAIN = 'warehouse.corp.example.com';

describe('cluster with a custom domain name', () => {
  let h: AppHarness;
  before(async () => {
    h = await startAppHarness({
      clusters: [{ id: 'cname', customDomainName: DOMAIN, sslMode: 'verify-ca', roles: [TEST_ROLE_ARN] }],
      emulator: {
        clusters: [
          {
            clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
            customDomainName: DOMAIN,
            host: TEST_CLUSTER_HOST,
            port: TEST_CLUSTER_PORT,
          },
        ],
      },
    });
  });
  after(() => h.close());

  it('asks GetClusterCredentials by CustomDomainName and connects to the domain', async () => {
    assert.equal((await h.signIn()).status, 303);
    const res = await h.client.postJson('/api/credentials', { cluster: 'cname' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { host: string; port: number; connectionStrings: { jdbc: string } };
    assert.equal(body.host, DOMAIN);
    assert.equal(body.port, 5439);
    assert.match(body.connectionStrings.jdbc, /sslmode=verify-ca/);
    const gcc = h.emulator.calls.find((c) => c.action === 'GetClusterCredentials');
    assert.equal(gcc?.params.CustomDomainName, DOMAIN);
    assert.equal(gcc?.params.ClusterIdentifier, undefined);
    assert.ok(
      !h.emulator.calls.some((c) => c.action === 'DescribeClusters'),
      'no endpoint lookup: the domain is the host',
    );
  });
});
