// The audit trail as an admin sees it: every admin change (who, before and after), sign-in,
// refused sign-in, issued and refused credential is recorded; /admin/audit filters by user,
// cluster, outcome and time; the CSV and JSON-lines exports carry the same events (CSV cells a
// spreadsheet would evaluate are neutralised); and nothing secret reaches any of it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { explicitIdpFields, clusterFields, ADMIN_GROUP } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';
import { AWS_ROLE_SESSION_NAME, fixtureKeys, REDSHIFT_DB_USER, TEST_ROLE_ARN } from '../../support/sign-response.ts';
import type { AuditEvent } from '../../../src/store/ports.ts';

const IDP = 'corp';
const CLUSTER = 'warehouse';
const CSV_COLUMNS =
  'at,kind,outcome,code,idpId,nameId,roleArn,clusterId,dbUser,durationSeconds,expiresAt,clientIp,userAgent,awsRequestIds,requestId,actor';
const FORMULA_NAME_ID = '=HYPERLINK("http://evil.example/x","open")';
const FORMULA_AGENTS = ["=cmd|' /C calc'!A0", '+1+2', '-3+4', '@SUM(1+1)'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An exported line: an AuditEvent as JSON (times as text), with the console's change details. */
type ExportedEvent = Omit<AuditEvent, 'at' | 'expiresAt' | 'details'> & {
  at: string;
  details?: {
    entry?: string;
    id?: string;
    before?: Record<string, unknown> | null;
    after?: Record<string, unknown> | null;
  };
};

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe('audit trail in the admin console', () => {
  let h: AppHarness;
  let setupAdmin: CookieClient;
  let bob: CookieClient;
  let tMid: Date;
  const secrets: string[] = [];

  async function jsonl(query = ''): Promise<ExportedEvent[]> {
    const res = await bob.get(`/admin/audit.jsonl${query === '' ? '' : `?${query}`}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /ndjson/);
    const text = await res.text();
    return text === ''
      ? []
      : text
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as ExportedEvent);
  }

  async function csv(query = ''): Promise<{ text: string; rows: string[][] }> {
    const res = await bob.get(`/admin/audit.csv${query === '' ? '' : `?${query}`}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="[^"]+\.csv"$/);
    const text = await res.text();
    return { text, rows: parseCsv(text) };
  }

  async function signIn(client: CookieClient, options: Parameters<AppHarness['signIn']>[2] = {}): Promise<Response> {
    const { res, samlResponse } = await h.signIn(client, IDP, options);
    secrets.push(samlResponse);
    return res;
  }

  before(async () => {
    h = await startAppHarness({ admin: true });
    const token = (await h.service.issueSetupToken()) ?? '';
    secrets.push(token);
    setupAdmin = h.newClient();
    await h.signInWithSetupToken(setupAdmin, token);
    // The cluster first: saving the first IdP ends the setup-token session.
    assert.equal((await h.post(setupAdmin, '/admin/clusters', clusterFields(CLUSTER))).status, 303);
    await h.saveFirstIdp(setupAdmin, explicitIdpFields(IDP));
    await sleep(25);
    tMid = new Date();
    await sleep(25);

    bob = h.newClient();
    const bobAttributes = { [AWS_ROLE_SESSION_NAME]: 'bob', [REDSHIFT_DB_USER]: 'bob' };
    assert.equal(
      (await signIn(bob, { nameId: 'bob@example.com', groups: [ADMIN_GROUP], extraAttributes: bobAttributes })).status,
      303,
    );
    assert.equal(
      (await h.post(bob, `/admin/idps/${IDP}/certs`, { certificate: fixtureKeys.idpNext.certificate })).status,
      303,
    );
    assert.equal((await h.post(bob, `/admin/idps/${IDP}/settings`, { clockSkewSeconds: '60' })).status, 303);

    const alice = h.newClient();
    assert.equal((await signIn(alice, { userAgent: 'audit-browser/2.0' })).status, 303);
    const issued = await alice.postJson(
      '/api/credentials',
      { cluster: CLUSTER },
      { 'user-agent': 'audit-browser/2.0' },
    );
    assert.equal(issued.status, 200);
    const body = (await issued.json()) as { dbPassword: string; connectionStrings: Record<string, string> };
    secrets.push(body.dbPassword);
    for (const s of await h.roleSessionsOf(alice)) secrets.push(s.secretAccessKey, s.sessionToken);
    assert.equal((await alice.postJson('/api/credentials', { cluster: 'nope' })).status, 404);

    for (const agent of FORMULA_AGENTS)
      assert.equal(
        (await signIn(h.newClient(), { key: fixtureKeys.attacker, json: true, userAgent: agent })).status,
        401,
      );
    assert.equal((await signIn(h.newClient(), { nameId: FORMULA_NAME_ID })).status, 303);

    const oldFingerprint = new X509Certificate(fixtureKeys.idp.certificate).fingerprint256;
    assert.equal((await h.post(bob, `/admin/idps/${IDP}/certs/remove`, { fingerprint: oldFingerprint })).status, 303);
    assert.equal((await signIn(h.newClient(), { json: true })).status, 401, 'the retired certificate is refused');
    assert.equal((await h.post(bob, '/admin/clusters', clusterFields('scratch'))).status, 303);
    assert.equal((await h.post(bob, '/admin/clusters/scratch/delete', {})).status, 303);
  });
  after(() => h.close());

  it('records admin changes with the actor, before and after', async () => {
    const changes = (await jsonl()).filter((e) => e.kind === 'admin_change').reverse();
    assert.deepEqual(
      changes.map(
        (e) =>
          `${e.actor} ${e.details?.entry} ${e.details?.id} ${e.details?.before === null ? 'new' : 'changed'}${e.details?.after === null ? ' removed' : ''}`,
      ),
      [
        `setup-token:setup-token cluster ${CLUSTER} new`,
        `setup-token:setup-token idp ${IDP} new`,
        `${IDP}:bob@example.com idp ${IDP} changed`,
        `${IDP}:bob@example.com idp ${IDP} changed`,
        `${IDP}:bob@example.com idp ${IDP} changed`,
        `${IDP}:bob@example.com cluster scratch new`,
        `${IDP}:bob@example.com cluster scratch changed removed`,
      ],
    );
    const [, created, certAdded, settings, certRemoved, , removed] = changes;
    assert.equal(created?.details?.after?.entityId, explicitIdpFields(IDP).entityId);
    assert.equal((certAdded?.details?.before?.certs as unknown[]).length, 1);
    assert.equal((certAdded?.details?.after?.certs as unknown[]).length, 2);
    assert.equal(settings?.details?.before?.clockSkewSeconds, undefined);
    assert.equal(settings?.details?.after?.clockSkewSeconds, 60);
    assert.equal((certRemoved?.details?.after?.certs as unknown[]).length, 1);
    assert.equal(removed?.details?.before?.id, 'scratch');
    assert.equal(removed?.clusterId, 'scratch');
  });

  it('records sign-ins, refused sign-ins with their code, and issued and refused credentials', async () => {
    const events = await jsonl();
    const issued = events.find((e) => e.kind === 'credentials_issued');
    assert.ok(issued !== undefined);
    assert.equal(issued.idpId, IDP);
    assert.equal(issued.nameId, 'alice@example.com');
    assert.equal(issued.roleArn, TEST_ROLE_ARN);
    assert.equal(issued.clusterId, CLUSTER);
    assert.equal(issued.dbUser, 'IAM:alice');
    assert.equal(issued.durationSeconds, 900);
    assert.equal(issued.clientIp, '127.0.0.1');
    assert.equal(issued.userAgent, 'audit-browser/2.0');
    assert.ok((issued.awsRequestIds ?? []).length >= 1);
    assert.ok(events.some((e) => e.kind === 'login' && e.outcome === 'ok' && e.nameId === 'bob@example.com'));
    assert.ok(
      events.some(
        (e) =>
          e.kind === 'login' &&
          e.outcome === 'ok' &&
          e.nameId === 'alice@example.com' &&
          e.userAgent === 'audit-browser/2.0',
      ),
    );
    assert.equal(
      events.filter((e) => e.kind === 'login_refused' && e.code === 'SAML_SIGNATURE_INVALID' && e.idpId === IDP).length,
      FORMULA_AGENTS.length + 1,
    );
    assert.ok(
      events.some((e) => e.kind === 'credentials_refused' && e.code === 'CLUSTER_UNKNOWN' && e.clusterId === 'nope'),
    );
  });

  it('exports the same events as CSV, with its header and formula cells neutralised', async () => {
    const all = await jsonl();
    const { rows } = await csv();
    assert.equal(rows[0]?.join(','), CSV_COLUMNS);
    assert.equal(rows.length - 1, all.length, 'one row per event');
    const columns = CSV_COLUMNS.split(',');
    const col = (name: string) => columns.indexOf(name);
    for (const row of rows.slice(1)) {
      assert.equal(row.length, columns.length);
      for (const cell of row) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `a cell a spreadsheet would evaluate: ${cell}`);
    }
    const agents = rows.slice(1).map((r) => r[col('userAgent')]);
    for (const agent of FORMULA_AGENTS) assert.ok(agents.includes(`'${agent}`), `${agent} is kept, neutralised`);
    assert.ok(
      rows.some((r) => r[col('nameId')] === `'${FORMULA_NAME_ID}`),
      'a NameID formula is neutralised',
    );
    const issued = rows.find((r) => r[col('kind')] === 'credentials_issued');
    assert.equal(issued?.[col('dbUser')], 'IAM:alice');
    assert.equal(issued?.[col('clusterId')], CLUSTER);
    assert.ok(rows.some((r) => r[col('kind')] === 'admin_change' && r[col('actor')] === `${IDP}:bob@example.com`));
  });

  it('filters by user, cluster, outcome and time, in the page and in both exports', async () => {
    const alice = await jsonl('user=ALICE');
    assert.ok(alice.length >= 3);
    assert.ok(alice.every((e) => /alice/i.test(`${e.nameId} ${e.dbUser}`)));
    assert.ok(alice.some((e) => e.kind === 'credentials_issued'));

    const cluster = await jsonl(`cluster=${CLUSTER}`);
    assert.deepEqual(cluster.map((e) => e.kind).sort(), ['admin_change', 'credentials_issued']);

    const refused = await jsonl('outcome=refused');
    assert.ok(refused.length >= FORMULA_AGENTS.length + 2);
    assert.ok(refused.every((e) => e.outcome === 'refused'));

    const early = await jsonl(`to=${encodeURIComponent(tMid.toISOString())}`);
    assert.deepEqual(
      early.map((e) => e.actor),
      ['setup-token:setup-token', 'setup-token:setup-token'],
    );
    const late = await jsonl(`from=${encodeURIComponent(tMid.toISOString())}`);
    assert.equal(late.length + early.length, (await jsonl()).length);
    assert.ok(late.every((e) => new Date(e.at) >= tMid));

    const combined = `user=alice&cluster=${CLUSTER}&outcome=ok&from=${encodeURIComponent(tMid.toISOString())}`;
    assert.deepEqual(
      (await jsonl(combined)).map((e) => e.kind),
      ['credentials_issued'],
    );
    const { rows } = await csv(combined);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]?.[1], 'credentials_issued');

    const page = await bob.get(`/admin/audit?${combined}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const tableRows = html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g) ?? [];
    assert.equal(tableRows.length, 1, 'the page shows the one matching event');
    assert.match(html, /credentials_issued/);
    const refusedPage = await (await bob.get('/admin/audit?outcome=refused')).text();
    assert.equal(refusedPage.split('<tbody>')[1]?.match(/<tr>/g)?.length, refused.length);
  });

  it('finds an admin’s own changes when filtering by that admin', async () => {
    const bobs = await jsonl('user=bob');
    assert.ok(
      bobs.some((e) => e.kind === 'login'),
      'bob’s sign-in',
    );
    assert.ok(
      bobs.some((e) => e.kind === 'admin_change' && e.actor === `${IDP}:bob@example.com`),
      'bob’s admin changes',
    );
  });

  it('escapes what a sign-in put in the audit page', async () => {
    const html = await (await bob.get('/admin/audit')).text();
    assert.ok(!html.includes(FORMULA_NAME_ID), 'quotes in a NameID are escaped');
    assert.ok(decodeHtml(html).includes(FORMULA_NAME_ID), 'and the NameID is shown');
  });

  it('holds no password, AWS secret, session token, SAML response or setup token, in any view', async () => {
    const dumps = [
      (await csv()).text,
      JSON.stringify(await jsonl()),
      decodeHtml(await (await bob.get('/admin/audit')).text()),
      JSON.stringify(await h.service.store.queryAudit({ limit: 10_000 })),
    ];
    assert.ok(secrets.length >= 12);
    for (const secret of secrets) {
      assert.ok(secret.length >= 16, 'a real secret');
      for (const dump of dumps) {
        assert.ok(!dump.includes(secret), 'a secret reached the audit trail');
        assert.ok(!dump.includes(secret.slice(8, 40)), 'part of a secret reached the audit trail');
      }
    }
  });

  it('exports every event, not just the first page', async () => {
    const extra = 600;
    for (let i = 0; i < extra; i += 1) {
      await h.service.store.appendAudit({
        at: new Date(tMid.getTime() + 1 + i),
        kind: 'logout',
        outcome: 'ok',
        idpId: IDP,
        nameId: `bulk${i}@example.com`,
      });
    }
    const total = (await h.service.store.queryAudit({ limit: 10_000 })).length;
    assert.ok(total > extra);
    assert.equal((await jsonl()).length, total, 'JSON lines export');
    assert.equal((await csv()).rows.length - 1, total, 'CSV export');
  });
});
