// SQL statements one sign-in runs: SP-initiated, the ACS POST only (GET /login/:idp is not
// counted), on the SQLite store and on PostgreSQL, through the real app (test/support/app-harness).
// Counted at the drivers: every better-sqlite3 statement run and every pg query. Prints the
// statements per sign-in, grouped by their SQL text. `npm run bench -- --statements` or directly:
// `tsx test/bench/statements.ts [--sign-ins N] [--store sqlite|postgres|both]`.
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startAppHarness } from '../support/app-harness.ts';
import { createTestDatabase } from '../support/test-postgres.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';

type Counts = Map<string, number>;

let counts: Counts | undefined;

function record(sql: string): void {
  if (counts === undefined) return;
  // The SQL text up to its first clause, so parameters and long column lists do not split groups.
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 90);
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Wraps the drivers' statement entry points once, for the whole process. */
function instrumentDrivers(): void {
  const scratch = new Database(':memory:');
  const statement = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<string, unknown>;
  scratch.close();
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = statement[method] as (...a: unknown[]) => unknown;
    statement[method] = function (this: { source: string }, ...a: unknown[]) {
      record(this.source);
      return original.apply(this, a);
    };
  }
  const client = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = client.query;
  client.query = function (this: unknown, ...a: unknown[]) {
    const first = a[0];
    record(typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text ?? '?'));
    return query.apply(this, a);
  };
}

export interface StatementCount {
  store: string;
  signIns: number;
  perSignIn: number;
  byStatement: Array<[string, number]>;
}

async function countFor(storeName: 'sqlite' | 'postgres', signIns: number): Promise<StatementCount> {
  const db = storeName === 'postgres' ? await createTestDatabase('redshift_sso_bench') : undefined;
  const store = db === undefined ? undefined : await openPostgresStore(db.url);
  const h = await startAppHarness(store === undefined ? {} : { store });
  try {
    // One sign-in first: the registry, prepared statements and pool connections warm up.
    if ((await h.signIn()).status !== 303) throw new Error('the warm-up sign-in failed');
    const total: Counts = new Map();
    for (let i = 0; i < signIns; i++) {
      const client = h.newClient();
      const response = await h.validResponse();
      counts = total;
      const res = await client.postForm('/saml/acs/test', { SAMLResponse: response });
      counts = undefined;
      if (res.status !== 303) throw new Error(`sign-in ${i} answered ${res.status}`);
    }
    const all = [...total.values()].reduce((a, b) => a + b, 0);
    return {
      store: storeName,
      signIns,
      perSignIn: all / signIns,
      byStatement: [...total].map(([sql, n]) => [sql, n / signIns]),
    };
  } finally {
    counts = undefined;
    await h.close();
    await db?.drop();
  }
}

export async function statementCounts(
  stores: Array<'sqlite' | 'postgres'>,
  signIns: number,
): Promise<StatementCount[]> {
  instrumentDrivers();
  const results: StatementCount[] = [];
  for (const store of stores) results.push(await countFor(store, signIns));
  return results;
}

export function printStatementCounts(results: StatementCount[]): void {
  for (const r of results) {
    console.log(
      `\nSQL statements per sign-in (ACS POST, SP-initiated, ${r.store}, mean of ${r.signIns}): ${r.perSignIn.toFixed(1)}`,
    );
    for (const [sql, n] of r.byStatement) console.log(`  ${n.toFixed(1).padStart(4)}  ${sql}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { 'sign-ins': { type: 'string', default: '20' }, store: { type: 'string', default: 'both' } },
  });
  const stores = values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store as 'sqlite' | 'postgres'];
  statementCounts([...stores], Number(values['sign-ins']))
    .then(printStatementCounts)
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
