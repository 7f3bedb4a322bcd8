// The Store contract against a real PostgreSQL: a fresh database per run on the machine's server
// (postgres://postgres@127.0.0.1:5432/postgres, trust auth; TEST_PG_URL names another server),
// emptied before each test and dropped at the end. An unreachable server fails the run.
import { after, before, describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStore } from '../../../src/store/postgres.ts';
import { describeStoreContract } from '../../unit/store/contract.ts';

const SERVER_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const START_COMMAND = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function createTestDatabase(): Promise<TestDatabase> {
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
  const name = `redshift_sso_test_${randomBytes(6).toString('hex')}`;
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

describe('openPostgresStore', () => {
  let database: TestDatabase | undefined;
  let cleaner: pg.Client | undefined;

  before(async () => {
    database = await createTestDatabase();
    // Creates the tables, so the first test's DELETE has something to empty.
    await (await openPostgresStore(database.url)).close();
    cleaner = new pg.Client({ connectionString: database.url });
    await cleaner.connect();
  });

  after(async () => {
    await cleaner?.end();
    await database?.drop();
  });

  describeStoreContract('PostgreSQL', async () => {
    if (database === undefined || cleaner === undefined) throw new Error('no test database: see the failure of the before hook');
    const store = await openPostgresStore(database.url, { poolSize: 5 });
    // DELETE, not TRUNCATE: on these small tables it is ~80 ms faster per test.
    await cleaner.query(
      'DELETE FROM sessions; DELETE FROM saml_requests; DELETE FROM saml_replay; DELETE FROM audit_log; DELETE FROM connections; DELETE FROM settings',
    );
    return store;
  });
});
