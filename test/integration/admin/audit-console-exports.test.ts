// The audit trail's exports (support-audit-console.ts builds it): the CSV carries the same events as
// the JSON lines (cells a spreadsheet would evaluate are neutralised), both export every event, not
// one page, and no secret reaches the exports, the page or the store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../../support/app-harness.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';
import {
  buildAuditTrail,
  CLUSTER,
  CSV_COLUMNS,
  FORMULA_AGENTS,
  FORMULA_NAME_ID,
  IDP,
  type AuditTrail,
} from './support-audit-console.ts';

describe('audit trail in the admin console', () => {
  let h: AppHarness;
  let bob: CookieClient;
  let tMid: Date;
  let secrets: string[];
  let jsonl: AuditTrail['jsonl'];
  let csv: AuditTrail['csv'];

  before(async () => ({ h, bob, tMid, secrets, jsonl, csv } = await buildAuditTrail()));
  after(() => h.close());

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
