// A million-event audit trail on PostgreSQL: the CSV export streams it through the real HTTP route
// while the process's resident memory stays within 200 MB of where it started, every row arrives,
// and formula cells stay neutralised; then the retention job prunes it in batches while people keep
// signing in through the real ACS with signed responses, and audits what it did.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';
import { fakeTimers } from '../support/fake-timers.ts';
import { startAppHarness, type AppHarness, TEST_CLUSTER_IDENTIFIER } from '../support/app-harness.ts';
import { fileIdpEntry } from '../support/admin-forms.ts';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';

const IDP = 'corp';
const SEEDED = 1_000_000;
const RETENTION_DAYS = 400;
const RSS_BOUND_MB = 200;
const FORMULA_EVERY = 10_000;
const MB = 1024 * 1024;

/**
 * Event i is (60 i + 30) seconds before `t0`: the trail spans ~694 days, ~42 % of it past retention.
 * The JSON is formatted as text (3x faster than jsonb_build_object); to_jsonb quotes the NameID.
 */
const SEED_SQL = `
  INSERT INTO audit_log (at, kind, outcome, code, idp_id, name_id, role_arn, cluster_id, db_user, event)
  SELECT at, kind, outcome, code, 'corp', name_id, '${TEST_ROLE_ARN}', 'warehouse', db_user,
    format('{"at":"%s","kind":"%s","outcome":"%s",%s"idpId":"corp","nameId":%s,'
           '"roleArn":"${TEST_ROLE_ARN}","clusterId":"warehouse","dbUser":"%s","clientIp":"192.0.2.%s",'
           '"userAgent":"bulk-loader/1.0","awsRequestIds":["%s"],"requestId":"bulk-%s"}',
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), kind, outcome,
      CASE WHEN code IS NULL THEN '' ELSE '"code":"' || code || '",' END,
      to_jsonb(name_id)::text, db_user, i % 250, md5(i::text), i)::jsonb
  FROM (
    SELECT i, $1::timestamptz - make_interval(secs => i * 60 + 30) AS at,
           CASE WHEN i % 10 = 0 THEN 'login_refused' ELSE 'credentials_issued' END AS kind,
           CASE WHEN i % 10 = 0 THEN 'refused' ELSE 'ok' END AS outcome,
           CASE WHEN i % 10 = 0 THEN 'SAML_EXPIRED' END AS code,
           CASE WHEN i % ${FORMULA_EVERY} = 0 THEN '=HYPERLINK("http://evil.example/' || i || '")'
                ELSE 'bulk' || (i % 5000) || '@example.com' END AS name_id,
           'IAM:bulk' || (i % 5000) AS db_user
    FROM generate_series(1, ${SEEDED}) AS i
  ) seed`;

describe('a million-event audit trail on PostgreSQL', () => {
  let database: TestDatabase;
  let sql: pg.Client;
  let h: AppHarness;
  const t0 = new Date();

  before(async () => {
    database = await createTestDatabase('redshift_sso_audit_1m');
    const store = await openPostgresStore(database.url);
    // The job's own timer never fires here: the test runs it, so it starts where the test says.
    h = await startAppHarness({
      admin: true,
      store,
      idps: [fileIdpEntry(IDP)],
      clusters: [{ id: 'warehouse', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
      auditPrune: { timers: fakeTimers().timers },
      config: { audit: { retentionDays: RETENTION_DAYS } },
    });
    sql = new pg.Client({ connectionString: database.url });
    await sql.connect();
    const started = Date.now();
    await sql.query(SEED_SQL, [t0]);
    await sql.query('ANALYZE audit_log');
    console.log(`seeded ${SEEDED} audit events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(async () => {
    await sql?.end();
    await h?.close();
    await database?.drop();
  });

  it('exports every row as CSV, streamed, with RSS under 200 MB above its start', async () => {
    const admin = h.newClient();
    await h.signInAsAdmin(admin, IDP);
    const total = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]?.n);
    assert.ok(total > SEEDED);

    const rssStart = process.memoryUsage().rss;
    let rssPeak = rssStart;
    const sample = () => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    };
    const sampler = setInterval(sample, 25);
    const started = Date.now();
    let lines = 0;
    let formulas = 0;
    let evaluated = 0;
    let header = '';
    try {
      const res = await admin.get('/admin/audit.csv');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.equal(res.headers.get('content-length'), null, 'streamed, not sent as one body');
      const decoder = new TextDecoder();
      let carry = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const parts = (carry + decoder.decode(chunk, { stream: true })).split('\r\n');
        carry = parts.pop() ?? '';
        for (const line of parts) {
          if (lines === 0) header = line;
          lines += 1;
          if (line.includes(`"'=HYPERLINK(`)) formulas += 1;
          if (/(^|,)"?[=+@-]/.test(line)) evaluated += 1;
        }
        sample();
      }
      assert.equal(carry, '', 'the export ends with a complete line');
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (rssPeak - rssStart) / MB;
    console.log(
      `exported ${lines - 1} rows in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `RSS start ${(rssStart / MB).toFixed(0)} MB, peak ${(rssPeak / MB).toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`,
    );
    assert.match(header, /^at,kind,outcome,code,idpId,nameId/);
    assert.equal(lines - 1, total, 'one CSV row per audit event');
    assert.equal(formulas, SEEDED / FORMULA_EVERY, 'every formula NameID is there, neutralised');
    assert.equal(evaluated, 0, 'no cell a spreadsheet would evaluate');
    assert.ok(growthMb < RSS_BOUND_MB, `RSS grew by ${growthMb.toFixed(0)} MB during the export`);
  });

  it('prunes to the retention in batches while sign-ins continue, and audits the prune', async () => {
    let pruning = true;
    let duringPrune = 0;
    const signIns: Array<{ nameId: string; status: number }> = [];
    const signInLoop = async (worker: number) => {
      // At least five each, and on until the prune is over.
      for (let n = 0; pruning || n < 5; n += 1) {
        const nameId = `during-${worker}-${n}@example.com`;
        const { res } = await h.signIn(h.newClient(), IDP, { nameId });
        signIns.push({ nameId, status: res.status });
        if (pruning) duringPrune += 1;
      }
    };
    const loops = [signInLoop(1), signInLoop(2)];
    const started = Date.now();
    const outcome = await h.service.auditPruner.runOnce().finally(() => {
      pruning = false;
    });
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(loops);
    assert.ok(outcome.ran, 'the only pruner runs');

    const past = (t0.getTime() - outcome.cutoff.getTime()) / 1000;
    const expected = SEEDED - Math.max(0, Math.floor((past - 30) / 60));
    console.log(
      `pruned ${outcome.deleted} events in ${outcome.batches} batches in ${seconds.toFixed(1)} s; ` +
        `${duringPrune} sign-ins completed meanwhile`,
    );
    assert.equal(outcome.deleted, expected, 'every seeded event before the cutoff, and nothing else');
    assert.ok(outcome.batches >= Math.ceil(expected / 10_000), 'in batches of at most 10,000');
    const count = async (where: string, params: unknown[] = []) =>
      Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE ${where}`, params)).rows[0]?.n);
    assert.equal(await count('at < $1', [outcome.cutoff]), 0, 'nothing older than the cutoff is left');
    const keptSeeded = await count("event->>'requestId' LIKE 'bulk-%'");
    assert.equal(keptSeeded, SEEDED - expected, 'the seeded events inside the retention are kept');

    assert.ok(duringPrune >= 1, 'sign-ins went on while the prune ran');
    assert.deepEqual(
      signIns.filter((s) => s.status !== 303),
      [],
      'every sign-in succeeded',
    );
    const kept = await h.service.store.queryAudit({ user: 'during-', kind: 'login', limit: 10_000 });
    const keptNames = new Set(kept.map((e) => e.nameId));
    assert.deepEqual(keptNames, new Set(signIns.map((s) => s.nameId)), 'every sign-in is in the trail');

    const [audited, ...others] = await h.service.store.queryAudit({ kind: 'audit_pruned' });
    assert.equal(others.length, 0);
    assert.equal(audited?.outcome, 'ok');
    const cutoff = outcome.cutoff.toISOString();
    const { batches } = outcome;
    assert.deepEqual(audited?.details, { deleted: expected, cutoff, retentionDays: RETENTION_DAYS, batches });
    const latest = Date.now() - RETENTION_DAYS * 86_400_000;
    assert.ok(outcome.cutoff.getTime() <= latest, 'the cutoff is the retention before now');
  });
});
