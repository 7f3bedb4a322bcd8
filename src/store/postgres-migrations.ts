// The PostgreSQL schema, applied at start-up under a transaction-level advisory lock, so
// instances starting together apply each step once.
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { POSTGRES_CLI_MIGRATION } from './postgres-cli.ts';
import { RATE_LIMITS_MIGRATION } from './postgres-rate-limits.ts';

// Any fixed bigint works; it only has to be the same for every instance ("RSSO" in ASCII).
const MIGRATION_LOCK_ID = 0x5253534f;

// Append only: a released step never changes, later ones alter what came before.
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE sessions (sid text PRIMARY KEY, data text NOT NULL, expires_at timestamptz NOT NULL);
   CREATE INDEX sessions_expires ON sessions (expires_at);
   CREATE TABLE saml_requests (key text PRIMARY KEY, value text NOT NULL, expires_at timestamptz NOT NULL);
   CREATE INDEX saml_requests_expires ON saml_requests (expires_at);
   CREATE TABLE saml_replay (key text PRIMARY KEY, expires_at timestamptz NOT NULL);
   CREATE INDEX saml_replay_expires ON saml_replay (expires_at);`,
  `CREATE TABLE audit_log (id bigserial PRIMARY KEY, at timestamptz NOT NULL, kind text NOT NULL, outcome text NOT NULL,
     code text, idp_id text, name_id text, role_arn text, cluster_id text, db_user text, event jsonb NOT NULL);
   CREATE INDEX audit_log_at ON audit_log (at, id);
   CREATE INDEX audit_log_cluster ON audit_log (cluster_id, at);`,
  // json, not jsonb: an entry keeps the key order an admin wrote it in.
  `CREATE TABLE connections (kind text NOT NULL, id text NOT NULL, entry json NOT NULL, version integer NOT NULL,
     updated_at timestamptz NOT NULL, updated_by text NOT NULL, PRIMARY KEY (kind, id));
   CREATE TABLE connections_changes (one integer PRIMARY KEY CHECK (one = 1), counter bigint NOT NULL);
   INSERT INTO connections_changes (one, counter) VALUES (1, 0);
   CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);`,
  `CREATE TABLE idp_metadata (url text PRIMARY KEY, xml text NOT NULL, fetched_at timestamptz NOT NULL);`,
  RATE_LIMITS_MIGRATION,
  POSTGRES_CLI_MIGRATION,
];

export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('BEGIN');
    // Held until COMMIT or ROLLBACK: a second instance waits here, then finds every step done.
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await applyPending(client);
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    failed = true;
    // The migration error is what matters; a failed ROLLBACK (connection gone) adds nothing.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release(failed);
  }
}

async function applyPending(client: PoolClient): Promise<number[]> {
  await client.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const done = new Set(rows.map((row) => row.version));
  const applied: number[] = [];
  for (const [index, sql] of MIGRATIONS.entries()) {
    const version = index + 1;
    if (done.has(version)) continue;
    await client.query(sql);
    await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
    applied.push(version);
  }
  return applied;
}
