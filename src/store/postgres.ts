// The shared store for several instances: PostgreSQL through a pg Pool. Start-up migrations run
// under a transaction-level advisory lock, so instances starting together apply each step once;
// single use (replay keys, request IDs) rests on one atomic statement each, never read-then-write.
// One file per port (postgres-*.ts); this one opens the pool and puts them together.
import pg from 'pg';
import { ConfigError, UpstreamUnavailable } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Store } from './ports.ts';
import { postgresAuditLog } from './postgres-audit.ts';
import { POSTGRES_CLI_SWEEP_CTES, postgresCliRecords } from './postgres-cli.ts';
import { postgresRateLimits, SWEEP_RATE_LIMITS } from './postgres-rate-limits.ts';
import { migrate, MIGRATIONS } from './postgres-migrations.ts';
import { oneRow } from './postgres-one-row.ts';
import { postgresSessions } from './postgres-sessions.ts';
import { postgresSamlCaches } from './postgres-saml.ts';
import { postgresConnections } from './postgres-connections.ts';
import { postgresSettings } from './postgres-settings.ts';
import { postgresMetadata } from './postgres-metadata.ts';

export interface PostgresStoreOptions {
  logger?: Logger;
  /** Most connections this instance opens; default 10. */
  poolSize?: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

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
  const one = oneRow(pool);
  let closing: Promise<void> | undefined;
  return {
    ...postgresSessions(pool),
    ...postgresSamlCaches(pool),
    ...postgresConnections(pool),
    ...postgresSettings(pool),
    ...postgresMetadata(pool),
    ...postgresCliRecords(pool),
    ...postgresAuditLog(pool),
    rateLimits: postgresRateLimits(pool),
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
