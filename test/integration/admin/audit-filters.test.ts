// The audit page's and exports' filters through HTTP: by IdP (with user, cluster, outcome and time
// in audit-console.test.ts), and every invalid value answered with a form error beside its field
// (page) or AUDIT_FILTER_INVALID (exports), never a 500 and never an export wider than asked.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../../support/app-harness.ts';
import { startWithFileAdmin } from '../../support/admin-pages.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';

const IDP = 'corp';
// Yesterday, so the 400-day retention never reaches these events whenever the test runs.
const DAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const tableRows = (html: string) => html.split('<tbody>')[1]?.split('</tbody>')[0]?.match(/<tr>/g)?.length ?? 0;

describe('audit filters in the console and the exports', () => {
  let h: AppHarness;
  let admin: CookieClient;

  before(async () => {
    ({ h, admin } = await startWithFileAdmin(IDP));
    const at = new Date(`${DAY}T10:00:00Z`);
    for (const [idpId, nameId] of [
      ['partner', 'p1@partner.example'],
      ['partner', 'p2@partner.example'],
      ['other', 'o1@other.example'],
    ]) {
      await h.service.store.appendAudit({ at, kind: 'login', outcome: 'ok', idpId, nameId });
    }
  });
  after(() => h.close());

  it('filters by IdP in the page and both exports', async () => {
    const page = await admin.get('/admin/audit?idp=partner');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(tableRows(html), 2);
    assert.match(html, /<input id="filter-idp" name="idp" value="partner"/, 'the value is kept in the form');
    assert.match(html, /href="\/admin\/audit\.csv\?idp=partner"/, 'the export links carry the filter');
    const csv = await (await admin.get('/admin/audit.csv?idp=partner')).text();
    assert.equal(csv.trimEnd().split('\r\n').length, 3);
    const jsonl = (await (await admin.get(`/admin/audit.jsonl?idp=partner&from=${DAY}&to=${DAY}`)).text())
      .trimEnd()
      .split('\n');
    assert.deepEqual(jsonl.map((l) => (JSON.parse(l) as { nameId: string }).nameId).sort(), [
      'p1@partner.example',
      'p2@partner.example',
    ]);
    assert.equal(tableRows(await (await admin.get(`/admin/audit?idp=${IDP}`)).text()), 1, 'the admin’s own sign-in');
  });

  it('answers invalid values with form errors beside their fields, keeping what was typed', async () => {
    const res = await admin.get('/admin/audit?user=alice&outcome=maybe&from=yesterday&to=2026-02-30');
    assert.equal(res.status, 400);
    const html = await res.text();
    assert.match(html, /role="alert"/);
    for (const field of ['outcome', 'from', 'to']) {
      assert.match(
        html,
        new RegExp(`id="filter-${field}"[^>]*aria-invalid="true" aria-describedby="filter-${field}-error"`),
        field,
      );
      assert.match(html, new RegExp(`<span id="filter-${field}-error" class="error-text">`), field);
    }
    assert.doesNotMatch(html, /id="filter-user"[^>]*aria-invalid/);
    assert.match(decodeHtml(html), /value="yesterday"/);
    assert.match(html, /name="user" value="alice"/);
    assert.equal(tableRows(html), 0, 'no events under a filter that was not applied');
    assert.doesNotMatch(html, /audit\.csv/, 'no export link for an invalid filter');
  });

  it('refuses an export with an invalid filter with AUDIT_FILTER_INVALID, not a wider export', async () => {
    for (const query of [
      'outcome=maybe',
      'from=2026-02-01&to=2026-01-01',
      `cluster=${'x'.repeat(300)}`,
      'idp=a&idp=b',
    ]) {
      for (const path of ['/admin/audit.csv', '/admin/audit.jsonl']) {
        const res = await admin.get(`${path}?${query}`, { accept: 'application/json' });
        assert.equal(res.status, 400, `${path}?${query}`);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'AUDIT_FILTER_INVALID');
        assert.match(body.error.message, /^The audit filter is not valid: \w+: /);
      }
    }
    const page = await admin.get('/admin/audit.csv?from=nope', { accept: 'text/html' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /AUDIT_FILTER_INVALID/);
  });

  it('shows a prune in the trail with what it deleted', async () => {
    await h.service.store.appendAudit({
      at: new Date('2020-01-01T00:00:00Z'),
      kind: 'login',
      outcome: 'ok',
      nameId: 'ancient@example.com',
    });
    const outcome = await h.service.auditPruner.runOnce();
    assert.equal(outcome.ran && outcome.deleted, 1, 'the one older than 400 days (the default)');
    const html = await (await admin.get('/admin/audit')).text();
    assert.match(html, new RegExp(`audit_pruned: 1 before ${outcome.ran ? outcome.cutoff.toISOString() : ''}`));
  });
});
