// The SQLite store's contract, in memory and on a file: sessions, AuthnRequest IDs, the
// one-time-use cache, sweeping, and migrations applied once per file. Times are explicit.
// The shared Store contract (contract.ts) runs here too, on both kinds of URL.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../../../src/store/ports.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { describeStoreContract } from './contract.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-sqlite-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

const kinds: Array<{ name: string; url: () => string }> = [
  { name: 'sqlite::memory:', url: () => 'sqlite::memory:' },
  { name: 'a file in a directory that does not exist yet', url: () => `sqlite:${join(tmp, `nested-${++files}`, 'dir', 'store.db')}` },
];

describeStoreContract('SQLite sqlite::memory:', async () => openSqliteStore('sqlite::memory:'));
describeStoreContract('SQLite on a temp file', async () => openSqliteStore(`sqlite:${join(tmp, `contract-${++files}`, 'store.db')}`));

async function withStore(url: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = openSqliteStore(url);
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

for (const kind of kinds) {
  describe(`openSqliteStore(${kind.name})`, () => {
    const test = (name: string, fn: (store: Store) => Promise<void>) => it(name, () => withStore(kind.url(), fn));

    test('stores, replaces and destroys a session', async (store) => {
      assert.equal(await store.getSession('sid-1', T0), null);
      await store.setSession('sid-1', '{"v":1}', at(60));
      assert.equal(await store.getSession('sid-1', T0), '{"v":1}');
      await store.setSession('sid-1', '{"v":2}', at(60));
      assert.equal(await store.getSession('sid-1', T0), '{"v":2}');
      assert.equal(await store.getSession('sid-2', T0), null);
      await store.destroySession('sid-1');
      assert.equal(await store.getSession('sid-1', T0), null);
      await store.destroySession('never-existed');
    });

    test('hides a session from its expiry on', async (store) => {
      await store.setSession('sid', 'data', at(60));
      assert.equal(await store.getSession('sid', at(59)), 'data');
      assert.equal(await store.getSession('sid', at(60)), null);
      assert.equal(await store.getSession('sid', at(3600)), null);
    });

    test('extends a session with touch', async (store) => {
      await store.setSession('sid', 'data', at(60));
      await store.touchSession('sid', at(600));
      assert.equal(await store.getSession('sid', at(300)), 'data');
      await store.touchSession('unknown', at(600));
      assert.equal(await store.getSession('unknown', T0), null);
    });

    test('saves, reads and removes request IDs; remove returns the value once', async (store) => {
      await store.saveRequestId('_req1', '2030-01-01T00:00:00Z', at(600));
      assert.equal(await store.getRequestId('_req1', T0), '2030-01-01T00:00:00Z');
      assert.equal(await store.getRequestId('_other', T0), null);
      assert.equal(await store.removeRequestId('_req1'), '2030-01-01T00:00:00Z');
      assert.equal(await store.removeRequestId('_req1'), null);
      assert.equal(await store.getRequestId('_req1', T0), null);
      assert.equal(await store.removeRequestId('_never'), null);
    });

    test('hides a request ID from its expiry on', async (store) => {
      await store.saveRequestId('_req', 'v', at(600));
      assert.equal(await store.getRequestId('_req', at(599)), 'v');
      assert.equal(await store.getRequestId('_req', at(600)), null);
    });

    test('remembers a key once until it expires, then again', async (store) => {
      assert.equal(await store.rememberOnce('corp:_a1', at(300), T0), true);
      assert.equal(await store.rememberOnce('corp:_a1', at(300), at(10)), false);
      assert.equal(await store.rememberOnce('corp:_a1', at(900), at(299)), false);
      assert.equal(await store.rememberOnce('other:_a1', at(300), T0), true);
      assert.equal(await store.rememberOnce('corp:_a1', at(900), at(300)), true);
      // Revived with the new expiry.
      assert.equal(await store.rememberOnce('corp:_a1', at(900), at(600)), false);
      assert.equal(await store.rememberOnce('corp:_a1', at(1200), at(900)), true);
    });

    test('sweeps expired rows of every kind and counts them', async (store) => {
      await store.setSession('old-1', 'x', at(10));
      await store.setSession('old-2', 'x', at(20));
      await store.setSession('live', 'x', at(1000));
      await store.saveRequestId('_old', 'x', at(30));
      await store.saveRequestId('_live', 'x', at(1000));
      await store.rememberOnce('old', at(40), T0);
      await store.rememberOnce('live', at(1000), T0);

      assert.equal(await store.sweepExpired(at(100)), 4);
      assert.equal(await store.sweepExpired(at(100)), 0);
      assert.equal(await store.getSession('live', at(100)), 'x');
      assert.equal(await store.getRequestId('_live', at(100)), 'x');
      assert.equal(await store.removeRequestId('_old'), null);
      assert.equal(await store.rememberOnce('live', at(2000), at(100)), false);
      assert.equal(await store.sweepExpired(at(1000)), 3);
    });
  });
}

describe('openSqliteStore on a file shared by two stores', () => {
  it('runs the migrations once and shares the data', async () => {
    const path = join(tmp, 'shared', 'store.db');
    const a = openSqliteStore(`sqlite:${path}`);
    const b = openSqliteStore(`sqlite:${path}`);
    try {
      await a.setSession('sid', 'from-a', at(60));
      assert.equal(await b.getSession('sid', T0), 'from-a');
      assert.equal(await a.rememberOnce('k', at(60), T0), true);
      assert.equal(await b.rememberOnce('k', at(60), T0), false);
    } finally {
      await a.close();
      await b.close();
    }
    const c = openSqliteStore(`sqlite:${path}`);
    await c.close();

    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>;
      assert.ok(rows.length >= 1);
      assert.deepEqual(rows.map((r) => r.version), rows.map((_, i) => i + 1));
    } finally {
      db.close();
    }
  });
});
