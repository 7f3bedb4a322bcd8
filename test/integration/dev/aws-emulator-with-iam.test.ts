// GetClusterCredentialsWithIAM through the real SDK adapter against the emulator: the DB user is
// the role's (IAMR:<role>), and the call is signed with the role session.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, TEST_CLUSTER_IDENTIFIER, type AppHarness } from '../../support/app-harness.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';

describe('cluster with credentialsApi GetClusterCredentialsWithIAM', () => {
  let h: AppHarness;
  before(async () => {
    h = await startAppHarness({
      clusters: [
        {
          id: 'iam-mapped',
          clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
          credentialsApi: 'GetClusterCredentialsWithIAM',
          roles: [TEST_ROLE_ARN],
        },
      ],
    });
  });
  after(() => h.close());

  it('issues IAMR:<role> credentials through GetClusterCredentialsWithIAM', async () => {
    assert.equal((await h.signIn()).status, 303);
    const res = await h.client.postJson('/api/credentials', { cluster: 'iam-mapped' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { dbUser: string };
    assert.equal(body.dbUser, 'IAMR:RedshiftAnalyst');
    const actions = h.emulator.calls.map((c) => `${c.action}:${c.ok}`);
    assert.ok(actions.includes('GetClusterCredentialsWithIAM:true'), actions.join(' '));
    assert.ok(!actions.some((a) => a.startsWith('GetClusterCredentials:')));
  });
});
