// The audit trail records every sign-in, refusal, issued credential and sign-out, with who, what,
// from where and the AWS request IDs, and never a secret.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, TEST_CLUSTER_ID, type AppHarness } from '../support/app-harness.ts';

describe('audit trail', () => {
  let h: AppHarness;
  const secrets: string[] = [];

  before(async () => {
    h = await startAppHarness();
    const good = await h.validResponse();
    secrets.push(good);
    assert.equal((await h.postAcs(good)).status, 303);
    const res = await h.client.postJson(
      '/api/credentials',
      { cluster: TEST_CLUSTER_ID },
      { 'user-agent': 'audit-test/1.0' },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { dbPassword: string };
    secrets.push(body.dbPassword);
    for (const s of await h.roleSessionsOf()) secrets.push(s.secretAccessKey, s.sessionToken);
    assert.equal((await h.client.postJson('/api/credentials', { cluster: 'nope' })).status, 404);
    const expired = await h.validResponse({
      now: new Date(Date.now() - 20 * 60_000),
      notOnOrAfter: new Date(Date.now() - 10 * 60_000),
      subjectNotOnOrAfter: new Date(Date.now() - 10 * 60_000),
    });
    secrets.push(expired);
    assert.equal((await h.newClient().postForm('/saml/acs/test', { SAMLResponse: expired })).status, 401);
  });
  after(() => h.close());

  it('records the sign-in, the issued credential with its AWS request IDs, and both refusals', async () => {
    const events = await h.service.store.queryAudit({});
    const kinds = events.map((e) => `${e.kind}:${e.outcome}:${e.code ?? ''}`).reverse();
    assert.deepEqual(kinds, [
      'login:ok:',
      'credentials_issued:ok:',
      'credentials_refused:refused:CLUSTER_UNKNOWN',
      'login_refused:refused:SAML_EXPIRED',
    ]);
    const issued = events.find((e) => e.kind === 'credentials_issued');
    assert.equal(issued?.idpId, 'test');
    assert.equal(issued?.nameId, 'alice@example.com');
    assert.equal(issued?.clusterId, TEST_CLUSTER_ID);
    assert.equal(issued?.dbUser, 'IAM:alice');
    assert.match(issued?.roleArn ?? '', /role\/RedshiftAnalyst$/);
    assert.equal(issued?.durationSeconds, 900);
    assert.ok(issued?.expiresAt instanceof Date);
    assert.equal(issued?.clientIp, '127.0.0.1');
    assert.equal(issued?.userAgent, 'audit-test/1.0');
    assert.ok((issued?.awsRequestIds ?? []).length >= 1, 'AWS request IDs kept');
    const login = events.find((e) => e.kind === 'login');
    assert.ok((login?.awsRequestIds ?? []).length >= 1, 'the STS request ID of the sign-in kept');
  });

  it('filters by user, cluster and outcome', async () => {
    const store = h.service.store;
    assert.equal((await store.queryAudit({ user: 'ALICE' })).length, 3);
    assert.equal((await store.queryAudit({ clusterId: TEST_CLUSTER_ID })).length, 1);
    assert.equal((await store.queryAudit({ outcome: 'refused' })).length, 2);
  });

  it('holds no password, AWS secret, session token or SAML response', async () => {
    const dump = JSON.stringify(await h.service.store.queryAudit({ limit: 10_000 }));
    for (const secret of secrets) {
      assert.ok(secret.length > 10);
      assert.ok(!dump.includes(secret), 'a secret reached the audit log');
      assert.ok(!dump.includes(secret.slice(20, 60)), 'part of a secret reached the audit log');
    }
  });
});
