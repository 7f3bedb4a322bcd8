// Several instances on one PostgreSQL database: started at the same moment they apply each
// migration once (advisory lock), and what one writes the other reads. Each test gets a fresh
// database on the machine's server (or TEST_PG_URL); an unreachable server fails the run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../../src/logger.ts';
import { openPostgresStore } from '../../../src/store/postgres.ts';
import type { Store } from '../../../src/store/ports.ts';
import { createTestDatabase } from '../../support/test-postgres.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

type Query = <R extends pg.QueryResultRow>(sql: string) => Promise<R[]>;

/** Runs `fn` with the URL of a database created for it, dropped afterwards. */
async function withFreshDatabase(fn: (url: string, query: Query) => Promise<void>): Promise<void> {
  const database = await createTestDatabase();
  const client = new pg.Client({ connectionString: database.url });
  try {
    await client.connect();
    await fn(database.url, async <R extends pg.QueryResultRow>(sql: string) => (await client.query<R>(sql)).rows);
  } finally {
    await client.end();
    await database.drop();
  }
}

async function closeAll(stores: Store[]): Promise<void> {
  await Promise.all(stores.map((s) => s.close()));
}

describe('openPostgresStore with several instances on one database', () => {
  it('applies each migration exactly once when two instances start at the same moment', () =>
    withFreshDatabase(async (url, query) => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const stores = await Promise.all([openPostgresStore(url, { logger }), openPostgresStore(url, { logger })]);
      try {
        const rows = await query<{ version: number; n: number }>(
          'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
        );
        const versions = rows.map((r) => r.version);
        assert.ok(versions.length >= 2);
        assert.deepEqual(
          versions,
          versions.map((_, i) => i + 1),
        );
        assert.ok(rows.every((r) => r.n === 1));

        // Between them, the two instances applied every version once; a third applies nothing.
        const late = await openPostgresStore(url, { logger });
        await late.close();
        const applied = lines
          .map((line) => JSON.parse(line) as { msg?: string; applied?: number[] })
          .filter((entry) => entry.msg === 'PostgreSQL store ready')
          .map((entry) => entry.applied ?? []);
        assert.equal(applied.length, 3);
        assert.deepEqual(
          applied.flat().sort((a, b) => a - b),
          versions,
        );
        assert.deepEqual(applied[2], []);
      } finally {
        await closeAll(stores);
      }
    }));

  it('shares sessions, request IDs and replay keys between instances', () =>
    withFreshDatabase(async (url) => {
      const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
      try {
        await a.setSession('sid', '{"from":"a"}', at(60));
        assert.equal(await b.getSession('sid', T0), '{"from":"a"}');
        await b.destroySession('sid');
        assert.equal(await a.getSession('sid', T0), null);

        await a.saveRequestId('_req', 'sent-by-a', at(600));
        assert.equal(await b.removeRequestId('_req'), 'sent-by-a');
        assert.equal(await a.removeRequestId('_req'), null);

        assert.equal(await a.rememberOnce('corp:_assertion', at(300), T0), true);
        assert.equal(await b.rememberOnce('corp:_assertion', at(300), at(1)), false);

        const raced = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).rememberOnce('corp:_raced', at(300), T0)),
        );
        assert.equal(raced.filter((r) => r).length, 1);
      } finally {
        await closeAll([a, b]);
      }
    }));

  it('fails with STORE_UNAVAILABLE, naming the database but not the password, when it cannot connect', async () => {
    const url = 'postgres://someone:s3cret-pw@127.0.0.1:1/nowhere';
    await assert.rejects(openPostgresStore(url), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STORE_UNAVAILABLE');
      assert.match(err.message, /127\.0\.0\.1:1\/nowhere/);
      assert.doesNotMatch(err.message, /s3cret-pw|someone/);
      return true;
    });
  });
});
