// The embedded default store: one SQLite file (better-sqlite3 12; 13 crashes on Node 20).
// Synchronous calls behind the async ports; WAL mode so several readers don't block the writer.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from './ports.ts';
import { sqliteAuditLog } from './sqlite-audit.ts';
import { SQLITE_CLI_MIGRATION, SQLITE_CLI_SWEEPS, sqliteCliRecords } from './sqlite-cli.ts';
import { sqliteRateLimits, SQLITE_RATE_LIMITS_MIGRATION, SWEEP_SQLITE_RATE_LIMITS } from './sqlite-rate-limits.ts';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX sessions_expires ON sessions (expires_at);
   CREATE TABLE saml_requests (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX saml_requests_expires ON saml_requests (expires_at);
   CREATE TABLE saml_replay (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX saml_replay_expires ON saml_replay (expires_at);`,
  `CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, outcome TEXT NOT NULL,
     code TEXT, idp_id TEXT, name_id TEXT, role_arn TEXT, cluster_id TEXT, db_user TEXT, event TEXT NOT NULL);
   CREATE INDEX audit_log_at ON audit_log (at);`,
  `CREATE TABLE connections (kind TEXT NOT NULL, id TEXT NOT NULL, entry TEXT NOT NULL, version INTEGER NOT NULL,
     updated_at INTEGER NOT NULL, updated_by TEXT NOT NULL, PRIMARY KEY (kind, id));
   CREATE TABLE connections_changes (one INTEGER PRIMARY KEY CHECK (one = 1), counter INTEGER NOT NULL);
   INSERT INTO connections_changes (one, counter) VALUES (1, 0);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  `CREATE TABLE idp_metadata (url TEXT PRIMARY KEY, xml TEXT NOT NULL, fetched_at INTEGER NOT NULL);`,
  SQLITE_CLI_MIGRATION,
  SQLITE_RATE_LIMITS_MIGRATION,
];

export interface SqliteStoreOptions {
  /** Count rate limits in the file (several worker processes on it), not in each process's memory. */
  sharedRateLimits?: boolean;
}

/** `sqlite:PATH` (relative paths from the working directory) or `sqlite::memory:`. */
export function openSqliteStore(url: string, options: SqliteStoreOptions = {}): Store {
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Explicit, so a new file and a reopened one behave the same: in WAL mode NORMAL never corrupts
  // the database; a power cut may lose the last commits (a sign-in to repeat), not the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const q = {
    getSession: db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?'),
    setSession: db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at'),
    touchSession: db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?'),
    destroySession: db.prepare('DELETE FROM sessions WHERE sid = ?'),
    saveRequest: db.prepare('INSERT INTO saml_requests (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at'),
    getRequest: db.prepare<[string, number], { value: string }>('SELECT value FROM saml_requests WHERE key = ? AND expires_at > ?'),
    removeRequest: db.prepare<[string], { value: string }>('DELETE FROM saml_requests WHERE key = ? RETURNING value'),
    takeRequest: db.prepare<[string], { value: string; expires_at: number }>('DELETE FROM saml_requests WHERE key = ? RETURNING value, expires_at'),
    insertReplay: db.prepare('INSERT INTO saml_replay (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE saml_replay.expires_at <= ?'),
    listConnections: db.prepare<[string], { id: string; entry: string; version: number; updated_at: number; updated_by: string }>(
      'SELECT id, entry, version, updated_at, updated_by FROM connections WHERE kind = ? ORDER BY id',
    ),
    insertConnection: db.prepare('INSERT INTO connections (kind, id, entry, version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING'),
    updateConnection: db.prepare('UPDATE connections SET entry = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ? AND version = ?'),
    deleteConnection: db.prepare('DELETE FROM connections WHERE kind = ? AND id = ?'),
    bumpConnections: db.prepare('UPDATE connections_changes SET counter = counter + 1 WHERE one = 1'),
    connectionsVersion: db.prepare<[], { counter: number }>('SELECT counter FROM connections_changes WHERE one = 1'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSettingOnce: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteSetting: db.prepare('DELETE FROM settings WHERE key = ?'),
    getMetadata: db.prepare<[string], { xml: string; fetched_at: number }>('SELECT xml, fetched_at FROM idp_metadata WHERE url = ?'),
    putMetadata: db.prepare(
      'INSERT INTO idp_metadata (url, xml, fetched_at) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET xml = excluded.xml, fetched_at = excluded.fetched_at WHERE idp_metadata.fetched_at <= excluded.fetched_at',
    ),
    takeSetting: db.prepare('DELETE FROM settings WHERE key = ? AND value = ?'),
    sweep: [
      db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
      db.prepare('DELETE FROM saml_requests WHERE expires_at <= ?'),
      db.prepare('DELETE FROM saml_replay WHERE expires_at <= ?'),
      ...SQLITE_CLI_SWEEPS.map((sql) => db.prepare(sql)),
      db.prepare(SWEEP_SQLITE_RATE_LIMITS),
    ],
  };

  return {
    ...sqliteCliRecords(db),
    ...sqliteAuditLog(db),
    ...(options.sharedRateLimits === true ? { rateLimits: sqliteRateLimits(db) } : {}),
    async getSession(sid, now) {
      return q.getSession.get(sid, now.getTime())?.data ?? null;
    },
    async setSession(sid, data, expiresAt) {
      q.setSession.run(sid, data, expiresAt.getTime());
    },
    async touchSession(sid, expiresAt) {
      q.touchSession.run(expiresAt.getTime(), sid);
    },
    async destroySession(sid) {
      q.destroySession.run(sid);
    },
    async saveRequestId(key, value, expiresAt) {
      q.saveRequest.run(key, value, expiresAt.getTime());
    },
    async getRequestId(key, now) {
      return q.getRequest.get(key, now.getTime())?.value ?? null;
    },
    async removeRequestId(key) {
      return q.removeRequest.get(key)?.value ?? null;
    },
    async takeRequestId(key, now) {
      // An expired row goes too: it could never be used again.
      const row = q.takeRequest.get(key);
      return row !== undefined && row.expires_at > now.getTime() ? row.value : null;
    },
    async rememberOnce(key, expiresAt, now) {
      // One statement: inserts, or revives an expired row; a live row makes it change nothing.
      return q.insertReplay.run(key, expiresAt.getTime(), now.getTime()).changes === 1;
    },
    async listConnections(kind) {
      return q.listConnections.all(kind).map((row) => ({
        kind,
        id: row.id,
        entry: JSON.parse(row.entry) as Record<string, unknown>,
        version: row.version,
        updatedAt: new Date(row.updated_at),
        updatedBy: row.updated_by,
      }));
    },
    async putConnection(record, expectedVersion) {
      const entry = JSON.stringify(record.entry);
      const at = record.updatedAt.getTime();
      return db.transaction(() => {
        const changed =
          expectedVersion === 0
            ? q.insertConnection.run(record.kind, record.id, entry, at, record.updatedBy).changes
            : q.updateConnection.run(entry, at, record.updatedBy, record.kind, record.id, expectedVersion).changes;
        if (changed === 1) q.bumpConnections.run();
        return changed === 1;
      })();
    },
    async deleteConnection(kind, id) {
      return db.transaction(() => {
        const changed = q.deleteConnection.run(kind, id).changes;
        if (changed === 1) q.bumpConnections.run();
        return changed === 1;
      })();
    },
    async connectionsVersion() {
      return String(q.connectionsVersion.get()?.counter ?? 0);
    },
    async getSetting(key) {
      return q.getSetting.get(key)?.value ?? null;
    },
    async setSettingOnce(key, value) {
      return q.setSettingOnce.run(key, value).changes === 1;
    },
    async takeSetting(key, value) {
      return q.takeSetting.run(key, value).changes === 1;
    },
    async deleteSetting(key) {
      q.deleteSetting.run(key);
    },
    async getMetadata(url) {
      const row = q.getMetadata.get(url);
      return row === undefined ? null : { xml: row.xml, fetchedAt: new Date(row.fetched_at) };
    },
    async putMetadata(url, xml, fetchedAt) {
      q.putMetadata.run(url, xml, fetchedAt.getTime());
    },
    async sweepExpired(now) {
      const t = now.getTime();
      return db.transaction(() => q.sweep.reduce((n, stmt) => n + stmt.run(t).changes, 0))();
    },
    async close() {
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0;
  // IMMEDIATE takes the write lock first, so two processes starting at once apply each step once.
  const apply = db.transaction((version: number, sql: string) => {
    const done = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version);
    if (done !== undefined) return;
    db.exec(sql);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
  });
  MIGRATIONS.forEach((sql, i) => {
    if (i + 1 > current) apply.immediate(i + 1, sql);
  });
}
