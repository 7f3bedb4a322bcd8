// The first row of a query, or undefined: how every single-row statement of the PostgreSQL store
// reads its answer.
import type pg from 'pg';

export type OneRow = <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => Promise<R | undefined>;

export function oneRow(pool: pg.Pool): OneRow {
  return async function one<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> {
    const { rows } = await pool.query<R>(sql, params);
    return rows[0];
  };
}
