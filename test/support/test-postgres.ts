// A fresh PostgreSQL database for one test file on the machine's server
// (postgres://postgres@127.0.0.1:5432/postgres, trust auth; TEST_PG_URL names another server),
// dropped at the end. An unreachable server fails the run with how to start it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const SERVER_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const START_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix = 'redshift_sso_test'): Promise<TestDatabase> {
  const admin = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (err) {
    const where = new URL(SERVER_URL);
    throw new Error(
      `PostgreSQL is not reachable at ${where.host}${where.pathname} (${err instanceof Error ? err.message : String(err)}). ` +
        `Start the machine's server with \`${START_COMMAND}\`, or set TEST_PG_URL to a server where this user may CREATE DATABASE.`,
      { cause: err },
    );
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  // A throwaway database needs no durable commits; without the fsync, 10,000 appends take a second.
  await admin.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} SET synchronous_commit = off`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
