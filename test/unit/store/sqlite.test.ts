// The SQLite store: the shared Store contract (contract.ts) in memory and on a file, plus what is
// SQLite's own (directories created, migrations applied once per file). Times are explicit.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { describeStoreContract } from './contract.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-sqlite-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let files = 0;

describeStoreContract('SQLite sqlite::memory:', async () => openSqliteStore('sqlite::memory:'));
describeStoreContract('SQLite on a temp file', async () =>
  openSqliteStore(`sqlite:${join(tmp, `contract-${++files}`, 'store.db')}`),
);

describe('openSqliteStore on a new path', () => {
  it('creates the missing directories', async () => {
    const store = openSqliteStore(`sqlite:${join(tmp, `nested-${++files}`, 'dir', 'store.db')}`);
    await store.setSession('sid', 'data', at(60));
    assert.equal(await store.getSession('sid', T0), 'data');
    await store.close();
  });
});

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
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{
        version: number;
      }>;
      assert.ok(rows.length >= 1);
      assert.deepEqual(
        rows.map((r) => r.version),
        rows.map((_, i) => i + 1),
      );
    } finally {
      db.close();
    }
  });
});
