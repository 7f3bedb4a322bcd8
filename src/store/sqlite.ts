// The embedded default store: one SQLite file (better-sqlite3 12; 13 crashes on Node 20).
// Synchronous calls behind the async ports; WAL mode so several readers don't block the writer.
// One file per port (sqlite-*.ts); this one opens the file and puts them together.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './ports.ts';
import { sqliteAuditLog } from './sqlite-audit.ts';
import { SQLITE_CLI_SWEEPS, sqliteCliRecords } from './sqlite-cli.ts';
import { sqliteRateLimits, SWEEP_SQLITE_RATE_LIMITS } from './sqlite-rate-limits.ts';
import { migrate } from './sqlite-migrations.ts';
import { sqliteSessions, SQLITE_SESSIONS_SWEEP } from './sqlite-sessions.ts';
import { sqliteSamlCaches, SQLITE_SAML_SWEEPS } from './sqlite-saml.ts';
import { sqliteConnections } from './sqlite-connections.ts';
import { sqliteSettings } from './sqlite-settings.ts';
import { sqliteMetadata } from './sqlite-metadata.ts';

export interface SqliteStoreOptions {
  /** Count rate limits in the file (several worker processes on it), not in each process's memory. */
  sharedRateLimits?: boolean;
}

/**
 * Several worker processes open one new file at once (server.workers). Switching it to WAL needs
 * the file to itself, and where two openers would wait on each other SQLite answers "database is
 * locked" at once instead of calling the busy handler: so the switch is retried, briefly, at start.
 */
function switchToWal(db: Database.Database, timeoutMs = 10_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      const busy = err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() > deadline) throw err;
      // Start-up only, before anything is served: a synchronous pause, as better-sqlite3 itself waits.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 30);
    }
  }
}

/** `sqlite:PATH` (relative paths from the working directory) or `sqlite::memory:`. */
export function openSqliteStore(url: string, options: SqliteStoreOptions = {}): Store {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  switchToWal(db);
  // Explicit, so a new file and a reopened one behave the same: in WAL mode NORMAL never corrupts
  // the database; a power cut may lose the last commits (a sign-in to repeat), not the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const sweeps = [SQLITE_SESSIONS_SWEEP, ...SQLITE_SAML_SWEEPS, ...SQLITE_CLI_SWEEPS, SWEEP_SQLITE_RATE_LIMITS].map(
    (sql) => db.prepare(sql),
  );

  return {
    ...sqliteSessions(db),
    ...sqliteSamlCaches(db),
    ...sqliteConnections(db),
    ...sqliteSettings(db),
    ...sqliteMetadata(db),
    ...sqliteCliRecords(db),
    ...sqliteAuditLog(db),
    ...(options.sharedRateLimits === true ? { rateLimits: sqliteRateLimits(db) } : {}),
    async sweepExpired(now) {
      const t = now.getTime();
      return db.transaction(() => sweeps.reduce((n, stmt) => n + stmt.run(t).changes, 0))();
    },
    async close() {
      db.close();
    },
  };
}
