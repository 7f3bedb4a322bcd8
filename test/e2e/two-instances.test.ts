// Two instances of the service (spawned src/main.ts) on one PostgreSQL database behind a real
// nginx on loopback, round robin, as a load balancer runs them: nothing is sticky, so a sign-in,
// a session, the replay cache and an admin change must hold whichever instance a request reaches;
// and killing one instance (SIGKILL) mid-traffic loses no session and no audit record.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { clusterFields, csrfOf, errorCode } from '../support/admin-forms.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import {
  HA_ADMIN_GROUP,
  HA_CLUSTER,
  HA_IDP,
  startTwoInstances,
  upstreamOf,
  type TwoInstances,
} from '../support/two-instances.ts';
import { runTraffic } from '../support/ha-traffic.ts';
import { approvedCode, authorizeParams, bearer, redeemBody, tokenRequest } from '../support/cli-flow.ts';

describe('two instances behind nginx on one PostgreSQL', () => {
  let h: TwoInstances;

  before(async () => {
    h = await startTwoInstances();
  });
  after(async () => {
    await h?.close();
  });

  const acs = (client: CookieClient, samlResponse: string) =>
    client.postForm(`/saml/acs/${HA_IDP}`, { SAMLResponse: samlResponse }, { accept: 'application/json' });

  it('completes on B a sign-in started on A, and keeps the session on both as requests alternate', async () => {
    const alice = h.newClient();
    await h.steer(h.a);
    const samlResponse = await h.samlResponse(alice);
    const landed = h.nginx.accessLog().filter((l) => l.startsWith(`GET /login/${HA_IDP} 302`));
    assert.equal(landed.at(-1)?.split(' ')[3], h.addr(h.a), 'GET /login/:idp was answered by A');

    await h.steer(h.b);
    const res = await acs(alice, samlResponse);
    assert.equal(res.status, 303, await res.text());
    assert.equal(upstreamOf(res), h.addr(h.b), 'the ACS POST landed on B');

    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const me = await alice.get('/api/me', { accept: 'application/json' });
      assert.equal(me.status, 200, 'still signed in');
      assert.equal(((await me.json()) as { nameId: string }).nameId, 'alice@example.com');
      const creds = await alice.postJson('/api/credentials', { cluster: HA_CLUSTER });
      assert.equal(creds.status, 200, await creds.clone().text());
      seen.add(upstreamOf(me)).add(upstreamOf(creds));
    }
    assert.deepEqual([...seen].sort(), [h.addr(h.a), h.addr(h.b)].sort(), 'both instances served the session');
  });

  it('accepts a CLI token approved on A on both instances', async () => {
    const bob = h.newClient();
    const signedIn = await acs(bob, await h.samlResponse(bob));
    assert.equal(signedIn.status, 303, await signedIn.text());
    const p = authorizeParams();
    await h.steer(h.a);
    const code = await approvedCode(bob, p);
    await h.steer(h.b);
    const answer = await tokenRequest(h.url, redeemBody(p, code));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const token = answer.body.access_token ?? '';
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const creds = await bearer(h.url, token, '/api/credentials', { cluster: HA_CLUSTER });
      assert.equal(creds.status, 200, await creds.clone().text());
      seen.add(upstreamOf(creds));
    }
    assert.deepEqual([...seen].sort(), [h.addr(h.a), h.addr(h.b)].sort(), 'both instances accepted the token');
  });

  it('refuses on B an assertion consumed on A (SAML_REPLAYED), and audits the refusal', async () => {
    const samlResponse = await h.samlResponse(undefined);
    await h.steer(h.a);
    const first = await acs(h.newClient(), samlResponse);
    assert.equal(first.status, 303, await first.text());
    assert.equal(upstreamOf(first), h.addr(h.a));

    await h.steer(h.b);
    const attacker = h.newClient();
    const replay = await acs(attacker, samlResponse);
    assert.equal(upstreamOf(replay), h.addr(h.b));
    assert.equal(replay.status, 401);
    assert.equal(await errorCode(replay), 'SAML_REPLAYED');
    assert.equal((await attacker.get('/api/me', { accept: 'application/json' })).status, 401, 'no session');
    const rows = await h.query<{ code: string }>(
      `SELECT code FROM audit_log WHERE kind = 'login_refused' AND event->>'requestId' = $1`,
      [replay.headers.get('x-request-id')],
    );
    assert.deepEqual(rows, [{ code: 'SAML_REPLAYED' }]);
  });

  it('applies an admin change made on A to the very next request on B', async () => {
    const admin = h.newClient();
    assert.equal((await acs(admin, await h.samlResponse(admin, { groups: [HA_ADMIN_GROUP] }))).status, 303);
    const alice = h.newClient();
    assert.equal((await acs(alice, await h.samlResponse(alice))).status, 303);
    const credentialsOnB = async () => {
      await h.steer(h.b);
      const res = await alice.postJson('/api/credentials', { cluster: 'night-shift' });
      assert.equal(upstreamOf(res), h.addr(h.b));
      return res;
    };
    const before = await credentialsOnB();
    assert.equal(await errorCode(before), 'CLUSTER_UNKNOWN', 'B has served this cluster id before the change: unknown');

    const csrf = await csrfOf(admin);
    await h.steer(h.a);
    const saved = await admin.postForm('/admin/clusters', { _csrf: csrf, ...clusterFields('night-shift') });
    assert.equal(saved.status, 303, await saved.text());
    assert.equal(upstreamOf(saved), h.addr(h.a), 'the admin change was made on A');
    const after = await credentialsOnB();
    assert.equal(after.status, 200, await after.clone().text());
    assert.equal(((await after.json()) as { database: string }).database, 'analytics');

    await h.steer(h.a);
    const removed = await admin.postForm('/admin/clusters/night-shift/delete', { _csrf: csrf });
    assert.equal(removed.status, 303);
    assert.equal(upstreamOf(removed), h.addr(h.a));
    assert.equal(await errorCode(await credentialsOnB()), 'CLUSTER_UNKNOWN', 'the removal applies on B at once');
  });

  it('loses no session and no audit record when B is killed (SIGKILL) mid-traffic', async (t) => {
    // Sessions made on B before the kill: they live in PostgreSQL, not in B.
    const madeOnB: CookieClient[] = [];
    for (let i = 0; i < 2; i++) {
      const client = h.newClient();
      const samlResponse = await h.samlResponse(client);
      await h.steer(h.b);
      const res = await acs(client, samlResponse);
      assert.equal(upstreamOf(res), h.addr(h.b));
      assert.equal(res.status, 303);
      madeOnB.push(client);
    }
    const auditBefore = Number((await h.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0]?.n);

    const result = await runTraffic(h, { workers: 4, rounds: 12, killAfter: 30, kill: () => h.b.signal('SIGKILL') });
    assert.equal(await h.b.exited, null, 'B died of the signal');
    t.diagnostic(
      `answered by ${JSON.stringify(Object.fromEntries(result.answeredBy))}; retried by the client: ${JSON.stringify(result.retried)}`,
    );
    assert.deepEqual(result.failures, [], 'every request succeeded, at most after one retry');
    assert.ok((result.answeredBy.get(h.addr(h.b)) ?? 0) > 0, 'B served traffic before it was killed');
    assert.equal(result.getsRetriedByClient, 0, 'nginx retried idempotent requests itself (proxy_next_upstream)');

    for (const client of [...madeOnB, ...result.sessions]) {
      const me = await client.get('/api/me', { accept: 'application/json', 'x-request-id': randomUUID() });
      assert.equal(me.status, 200, 'the session survived');
      assert.equal(upstreamOf(me), h.addr(h.a), 'only A is left');
    }
    const audited = new Set(
      (await h.query<{ id: string }>(`SELECT event->>'requestId' AS id FROM audit_log WHERE outcome = 'ok'`)).map(
        (r) => r.id,
      ),
    );
    const missing = result.successIds.filter((id) => !audited.has(id));
    assert.deepEqual(missing, [], 'every sign-in and credential the client received is in the audit trail');
    const auditAfter = Number((await h.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0]?.n);
    assert.ok(
      auditAfter - auditBefore >= result.successIds.length,
      `${auditAfter - auditBefore} new audit rows for ${result.successIds.length} successes`,
    );
  });
});
