// The audit pruning job on PostgreSQL, two instances on one database: started together, one runs
// and the other skips (pg_try_advisory_lock, never waiting); a lock held by a connection that died
// is gone with it, so a crashed instance never stops pruning for good.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PRUNE_LOCK } from '../../../src/audit/audit-retention.ts';
import { openPostgresStore } from '../../../src/store/postgres.ts';
import { JOB_LOCK_NAMESPACE } from '../../../src/store/postgres-audit.ts';
import type { Store } from '../../../src/store/ports.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-postgres.ts';
import { aPruner, PRUNE_NOW } from '../../support/audit-pruner.ts';

const NOW = PRUNE_NOW;
const DAY_MS = 86_400_000;

describe('audit pruning on two PostgreSQL instances', () => {
  let database: TestDatabase;
  let a: Store;
  let b: Store;

  const pruner = (store: Store, pause?: () => Promise<void>) => aPruner(store, { batchSize: 2, pause });

  const seed = async (count: number) => {
    for (let i = 0; i < count; i += 1)
      await a.appendAudit({ at: new Date(NOW.getTime() - (31 + i) * DAY_MS), kind: 'login', outcome: 'ok' });
  };

  before(async () => {
    database = await createTestDatabase('redshift_sso_prune');
    [a, b] = await Promise.all([openPostgresStore(database.url), openPostgresStore(database.url)]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('runs one of two pruners started at once; the other skips without waiting', async () => {
    await seed(5);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pausedOnce: () => void = () => undefined;
    const paused = new Promise<void>((resolve) => {
      pausedOnce = resolve;
    });
    const first = pruner(a, () => {
      pausedOnce();
      return gate;
    }).runOnce();
    await paused; // A holds the lock, between its first and second batch.
    assert.deepEqual(await pruner(b).runOnce(), { ran: false });
    release();
    const done = await first;
    assert.equal(done.ran && done.deleted, 5);
    assert.equal(done.ran && done.batches, 3);
    assert.equal((await b.queryAudit({ kind: 'audit_pruned' })).length, 1, 'one prune, audited once');
    assert.equal((await pruner(b).runOnce()).ran, true, 'B runs once A is done');
  });

  it('runs again once the connection that held the lock is gone', async () => {
    await seed(2);
    const crashed = new pg.Client({ connectionString: database.url });
    await crashed.connect();
    await crashed.query('SELECT pg_advisory_lock($1, hashtext($2))', [JOB_LOCK_NAMESPACE, PRUNE_LOCK]);
    assert.deepEqual(await pruner(a).runOnce(), { ran: false }, 'the lock is held');
    await crashed.end();
    const outcome = await pruner(a).runOnce();
    assert.equal(outcome.ran && outcome.deleted, 2);
  });
});
