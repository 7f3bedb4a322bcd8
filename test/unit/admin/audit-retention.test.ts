// The audit pruning job on SQLite with an injected clock and timers: what it deletes (older than
// the retention, oldest first, in batches), how it audits itself, its schedule and a clean stop,
// and one run at a time across two processes' stores on one file (the lease row).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import type { Store } from '../../../src/store/ports.ts';
import { fakeTimers } from '../../support/fake-timers.ts';
import { aPruner as pruner, PRUNE_NOW } from '../../support/audit-pruner.ts';

const NOW = PRUNE_NOW;
const DAY_MS = 86_400_000;
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * DAY_MS);
const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-prune-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function seed(store: Store, ages: number[]): Promise<void> {
  for (const [i, days] of ages.entries())
    await store.appendAudit({ at: daysAgo(days), kind: 'login', outcome: 'ok', requestId: `d${days}-${i}` });
}

describe('AuditPruner', () => {
  it('deletes events older than the retention in batches, keeps the rest, and audits the run', async () => {
    const store = openSqliteStore('sqlite::memory:');
    await seed(store, [400, 90, 45, 31, 30.5, 29.9, 10, 0]);
    const outcome = await pruner(store).runOnce();
    assert.deepEqual(outcome, { ran: true, deleted: 5, batches: 2, cutoff: daysAgo(30) });
    const left = await store.queryAudit({ limit: 100 });
    assert.deepEqual(
      left.map((e) => e.requestId),
      [undefined, 'd0-7', 'd10-6', 'd29.9-5'],
    );
    assert.equal(left[0]?.kind, 'audit_pruned');
    assert.deepEqual(left[0]?.details, {
      deleted: 5,
      cutoff: daysAgo(30).toISOString(),
      retentionDays: 30,
      batches: 2,
    });
    assert.deepEqual(left[0]?.at, NOW);

    assert.deepEqual(await pruner(store).runOnce(), { ran: true, deleted: 0, batches: 1, cutoff: daysAgo(30) });
    assert.equal(
      (await store.queryAudit({ kind: 'audit_pruned' })).length,
      1,
      'a run that deleted nothing adds no line',
    );
    await store.close();
  });

  it('runs on its schedule, and stop() waits for the run in progress, which ends after its batch', async () => {
    const store = openSqliteStore('sqlite::memory:');
    await seed(store, [40, 41, 42, 43, 44, 45, 46]);
    const timers = fakeTimers();
    let paused: () => void = () => undefined;
    let pauses = 0;
    const job = pruner(store, {
      timers: timers.timers,
      pause: () =>
        new Promise<void>((resolve) => {
          pauses += 1;
          paused = resolve;
        }),
    });
    job.start(60_000);
    assert.deepEqual(
      timers.pending.map((t) => t.ms),
      [60_000],
      'the first run a minute in',
    );
    const firing = timers.fire();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pauses, 1, 'between the first and second batch');
    const stopping = job.stop();
    paused();
    await stopping;
    await firing;
    assert.equal(
      (await store.queryAudit({ limit: 100 })).filter((e) => e.kind === 'login').length,
      4,
      'one batch of 3 went, then it stopped',
    );
    assert.deepEqual(timers.pending, [], 'nothing scheduled after stop');
    await store.close();
  });

  it('schedules the next run every interval, after a failed run too', async () => {
    const store = openSqliteStore('sqlite::memory:');
    const timers = fakeTimers();
    const job = pruner(store, { timers: timers.timers, intervalMs: 3_600_000 });
    job.start(1_000);
    await store.close();
    await timers.fire();
    assert.deepEqual(
      timers.pending.map((t) => t.ms),
      [3_600_000],
      'the closed store failed the run; the next one is scheduled',
    );
    await job.stop();
    assert.deepEqual(timers.pending, []);
  });

  it('runs on one of two processes sharing a SQLite file at a time (the lease row)', async () => {
    const path = `sqlite:${join(tmp, 'shared.db')}`;
    const [a, b] = [openSqliteStore(path), openSqliteStore(path)];
    await seed(a, [50, 51, 52, 53]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = pruner(a, { pause: () => gate }).runOnce();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await pruner(b).runOnce(), { ran: false }, 'the second waits for nothing and runs nothing');
    release();
    assert.deepEqual(await first, { ran: true, deleted: 4, batches: 2, cutoff: daysAgo(30) });
    assert.equal((await pruner(b).runOnce()).ran, true, 'free again once the first finished');
    await a.close();
    await b.close();
  });
});
