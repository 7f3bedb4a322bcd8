// The audit trail as an admin sees it: every admin change (who, before and after), sign-in,
// refused sign-in, issued and refused credential is recorded; /admin/audit filters by user,
// cluster, outcome and time, and escapes what a sign-in put there. The CSV and JSON-lines exports,
// and that nothing secret reaches any of it, are in audit-console-exports.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../../support/app-harness.ts';
import { explicitIdpFields } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';
import {
  buildAuditTrail,
  CLUSTER,
  FORMULA_AGENTS,
  FORMULA_NAME_ID,
  IDP,
  type AuditTrail,
} from './support-audit-console.ts';

describe('audit trail in the admin console', () => {
  let h: AppHarness;
  let bob: CookieClient;
  let tMid: Date;
  let jsonl: AuditTrail['jsonl'];
  let csv: AuditTrail['csv'];

  before(async () => ({ h, bob, tMid, jsonl, csv } = await buildAuditTrail()));
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
});
