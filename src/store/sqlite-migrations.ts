// The SQLite schema, one migration per step, applied once each in order (schema_migrations).
import type Database from 'better-sqlite3';
import { SQLITE_CLI_MIGRATION } from './sqlite-cli.ts';
import { SQLITE_RATE_LIMITS_MIGRATION } from './sqlite-rate-limits.ts';

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

export function migrate(db: Database.Database): void {
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
