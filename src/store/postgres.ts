// The shared store for several instances: PostgreSQL through a pg Pool. Start-up migrations run
// under a transaction-level advisory lock, so instances starting together apply each step once;
// single use (replay keys, request IDs) rests on one atomic statement each, never read-then-write.
import pg from 'pg';
import type { PoolClient } from 'pg';
import { ConfigError, UpstreamUnavailable } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './ports.ts';
import { postgresAuditLog } from './postgres-audit.ts';
import { POSTGRES_CLI_MIGRATION, POSTGRES_CLI_SWEEP_CTES, postgresCliRecords } from './postgres-cli.ts';
import { postgresRateLimits, RATE_LIMITS_MIGRATION, SWEEP_RATE_LIMITS } from './postgres-rate-limits.ts';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** Most connections this instance opens; default 10. */
  poolSize?: number;
}

// Any fixed bigint works; it only has to be the same for every instance ("RSSO" in ASCII).
const MIGRATION_LOCK_ID = 0x5253534f;
const CONNECT_TIMEOUT_MS = 10_000;

// Append only: a released step never changes, later ones alter what came before.
const MIGRATIONS: readonly string[] = [
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

/** `postgres://` or `postgresql://` URL; applies pending migrations before it resolves. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const log = options.logger?.child({ module: 'store' });
  const target = describeTarget(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'redshift-sso',
  });
  // Without a listener, a dropped idle connection would crash the process; the pool replaces it.
  pool.on('error', (err) => log?.error({ err, target }, 'idle PostgreSQL connection failed'));
  try {
    const applied = await migrate(pool);
    log?.info({ target, applied, schemaVersion: MIGRATIONS.length }, 'PostgreSQL store ready');
  } catch (err) {
    await pool.end();
    throw new UpstreamUnavailable({
      code: 'STORE_UNAVAILABLE',
      publicMessage: `cannot open the PostgreSQL store at ${target}: ${err instanceof Error ? err.message : String(err)}`,
      cause: err,
      details: { target },
    });
  }
  return postgresStore(pool);
}

function postgresStore(pool: pg.Pool): Store {
  const one = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> =>
    (await pool.query<R>(sql, params)).rows[0];
  let closing: Promise<void> | undefined;
  // One statement: the change and the counter bump commit together, and a concurrent writer at
  // the same version re-checks the WHERE after ours commits, so only one of them wins.
  const changeConnections = async (change: string, params: unknown[]): Promise<boolean> => {
    const row = await one<{ n: number }>(
      `WITH changed AS (${change}),
            bump AS (UPDATE connections_changes SET counter = counter + 1 WHERE one = 1 AND EXISTS (SELECT 1 FROM changed) RETURNING 1)
       SELECT count(*)::int AS n FROM changed`,
      params,
    );
    return row?.n === 1;
  };

  return {
    ...postgresCliRecords(pool),
    ...postgresAuditLog(pool),
    rateLimits: postgresRateLimits(pool),
    async getSession(sid, now) {
      return (await one<{ data: string }>('SELECT data FROM sessions WHERE sid = $1 AND expires_at > $2', [sid, now]))?.data ?? null;
    },
    async setSession(sid, data, expiresAt) {
      await pool.query(
        'INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at',
        [sid, data, expiresAt],
      );
    },
    async touchSession(sid, expiresAt) {
      await pool.query('UPDATE sessions SET expires_at = $2 WHERE sid = $1', [sid, expiresAt]);
    },
    async destroySession(sid) {
      await pool.query('DELETE FROM sessions WHERE sid = $1', [sid]);
    },
    async saveRequestId(key, value, expiresAt) {
      await pool.query(
        'INSERT INTO saml_requests (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
        [key, value, expiresAt],
      );
    },
    async getRequestId(key, now) {
      return (await one<{ value: string }>('SELECT value FROM saml_requests WHERE key = $1 AND expires_at > $2', [key, now]))?.value ?? null;
    },
    async removeRequestId(key) {
      // DELETE … RETURNING: of two instances racing for the same ID, only one gets the value.
      return (await one<{ value: string }>('DELETE FROM saml_requests WHERE key = $1 RETURNING value', [key]))?.value ?? null;
    },
    async takeRequestId(key, now) {
      // One DELETE … RETURNING: of two instances taking the same ID, only one gets a row.
      const row = await one<{ value: string; live: boolean }>('DELETE FROM saml_requests WHERE key = $1 RETURNING value, expires_at > $2 AS live', [key, now]);
      return row?.live === true ? row.value : null;
    },
    async rememberOnce(key, expiresAt, now) {
      // Inserts, or revives an expired row; a live row (even one a concurrent insert just
      // committed) makes the WHERE false and nothing is returned.
      const row = await one(
        'INSERT INTO saml_replay (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE saml_replay.expires_at <= $3 RETURNING key',
        [key, expiresAt, now],
      );
      return row !== undefined;
    },
    async listConnections(kind) {
      const { rows } = await pool.query<{ id: string; entry: Record<string, unknown>; version: number; updated_at: Date; updated_by: string }>(
        'SELECT id, entry, version, updated_at, updated_by FROM connections WHERE kind = $1 ORDER BY id',
        [kind],
      );
      return rows.map((row) => ({ kind, id: row.id, entry: row.entry, version: row.version, updatedAt: row.updated_at, updatedBy: row.updated_by }));
    },
    async putConnection(record, expectedVersion) {
      const values = [record.kind, record.id, JSON.stringify(record.entry), record.updatedAt, record.updatedBy];
      return expectedVersion === 0
        ? changeConnections('INSERT INTO connections (kind, id, entry, version, updated_at, updated_by) VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT DO NOTHING RETURNING 1', values)
        : changeConnections(
            'UPDATE connections SET entry = $3, version = version + 1, updated_at = $4, updated_by = $5 WHERE kind = $1 AND id = $2 AND version = $6 RETURNING 1',
            [...values, expectedVersion],
          );
    },
    async deleteConnection(kind, id) {
      return changeConnections('DELETE FROM connections WHERE kind = $1 AND id = $2 RETURNING 1', [kind, id]);
    },
    async connectionsVersion() {
      return (await one<{ counter: string }>('SELECT counter FROM connections_changes WHERE one = 1', []))?.counter ?? '0';
    },
    async getSetting(key) {
      return (await one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value ?? null;
    },
    async setSettingOnce(key, value) {
      return (await one('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key', [key, value])) !== undefined;
    },
    async takeSetting(key, value) {
      return (await one('DELETE FROM settings WHERE key = $1 AND value = $2 RETURNING key', [key, value])) !== undefined;
    },
    async deleteSetting(key) {
      await pool.query('DELETE FROM settings WHERE key = $1', [key]);
    },
    async getMetadata(url) {
      const row = await one<{ xml: string; fetched_at: Date }>('SELECT xml, fetched_at FROM idp_metadata WHERE url = $1', [url]);
      return row === undefined ? null : { xml: row.xml, fetchedAt: row.fetched_at };
    },
    async putMetadata(url, xml, fetchedAt) {
      await pool.query(
        'INSERT INTO idp_metadata (url, xml, fetched_at) VALUES ($1, $2, $3) ON CONFLICT (url) DO UPDATE SET xml = excluded.xml, fetched_at = excluded.fetched_at WHERE idp_metadata.fetched_at <= excluded.fetched_at',
        [url, xml, fetchedAt],
      );
    },
    async sweepExpired(now) {
      // One statement, so the deletes share a snapshot and commit together. Rate-limit windows end
      // by the database clock they were opened with.
      const row = await one<{ n: number }>(
        `WITH s AS (DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1),
              r AS (DELETE FROM saml_requests WHERE expires_at <= $1 RETURNING 1),
              p AS (DELETE FROM saml_replay WHERE expires_at <= $1 RETURNING 1),
              ${POSTGRES_CLI_SWEEP_CTES},
              l AS (${SWEEP_RATE_LIMITS})
         SELECT ((SELECT count(*) FROM s) + (SELECT count(*) FROM r) + (SELECT count(*) FROM p)
                 + (SELECT count(*) FROM t) + (SELECT count(*) FROM g) + (SELECT count(*) FROM l))::int AS n`,
        [now],
      );
      return row?.n ?? 0;
    },
    async close() {
      closing ??= pool.end();
      await closing;
    },
  };
}

async function migrate(pool: pg.Pool): Promise<number[]> {
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
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
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

/** host:port/database for messages and logs; never the user or password. */
function describeTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: Node's URL error carries the input, password included.
    throw new ConfigError(['store.url: not a valid postgres:// URL']);
  }
  return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}${parsed.pathname}`;
}
