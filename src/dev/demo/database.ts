// The PostgreSQL demo mode issues logins into: a private one when the server binaries exist (it
// really checks the issued passwords), else DEMO_PG_URL or the machine's, else none. Which
// clusters point at it and how they connect is demo/config.ts's job.
import { join } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../logger.ts';
import { findPostgresBinaries, startPrivatePostgres, type PrivatePostgres } from '../private-postgres.ts';

export interface DemoDatabase {
  database?: { url: string; host: string; port: number };
  /** Set when the private PostgreSQL runs; the demo stops it on close. */
  privatePg?: PrivatePostgres;
}

const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A private PostgreSQL when the server binaries exist (it checks passwords), else DEMO_PG_URL or the machine's. */
export async function demoDatabase(env: Record<string, string | undefined>, logger: Logger): Promise<DemoDatabase> {
  if (env.DEMO_PG_URL === undefined && findPostgresBinaries() !== null) {
    const started = await tryPrivatePostgres(env.DEMO_PG_TLS_DIR, logger);
    if (started) return started;
  }
  return existingPostgres(env.DEMO_PG_URL ?? MACHINE_POSTGRES, logger);
}

async function tryPrivatePostgres(tlsDir: string | undefined, logger: Logger): Promise<DemoDatabase | undefined> {
  try {
    const tls =
      tlsDir === undefined ? undefined : { certFile: join(tlsDir, 'server.crt'), keyFile: join(tlsDir, 'server.key') };
    const privatePg = await startPrivatePostgres({ logger, ...(tls === undefined ? {} : { tls }) });
    logger.info(
      { host: privatePg.host, port: privatePg.port },
      'demo: private PostgreSQL started; issued passwords are really checked',
    );
    return { database: { url: privatePg.url, host: privatePg.host, port: privatePg.port }, privatePg };
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'demo: could not start a private PostgreSQL; trying the machine one');
    return undefined;
  }
}

async function existingPostgres(url: string, logger: Logger): Promise<DemoDatabase> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch {
    logger.warn('demo: no PostgreSQL reachable; credentials are issued but log in nowhere');
    return {};
  }
  const parsed = new URL(url);
  logger.warn(
    { host: parsed.hostname, port: parsed.port },
    'demo: using an existing PostgreSQL; it may not check passwords (trust auth)',
  );
  return { database: { url, host: parsed.hostname, port: Number(parsed.port || 5432) } };
}
