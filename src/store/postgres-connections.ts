// IdP connections and clusters entered in the console, on PostgreSQL (ConnectionRecords in
// ports.ts; settings in postgres-settings.ts); tables from migration 3.
import type pg from 'pg';
import type { ConnectionRecords, SettingRecords } from './ports.ts';
import { oneRow } from './postgres-one-row.ts';

export function postgresConnections(pool: pg.Pool): Omit<ConnectionRecords, keyof SettingRecords> {
  const one = oneRow(pool);
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
    async listConnections(kind) {
      const { rows } = await pool.query<{
        id: string;
        entry: Record<string, unknown>;
        version: number;
        updated_at: Date;
        updated_by: string;
      }>('SELECT id, entry, version, updated_at, updated_by FROM connections WHERE kind = $1 ORDER BY id', [kind]);
      return rows.map((row) => ({
        kind,
        id: row.id,
        entry: row.entry,
        version: row.version,
        updatedAt: row.updated_at,
        updatedBy: row.updated_by,
      }));
    },
    async putConnection(record, expectedVersion) {
      const values = [record.kind, record.id, JSON.stringify(record.entry), record.updatedAt, record.updatedBy];
      return expectedVersion === 0
        ? changeConnections(
            'INSERT INTO connections (kind, id, entry, version, updated_at, updated_by) VALUES ($1, $2, $3, 1, $4, $5) ON CONFLICT DO NOTHING RETURNING 1',
            values,
          )
        : changeConnections(
            'UPDATE connections SET entry = $3, version = version + 1, updated_at = $4, updated_by = $5 WHERE kind = $1 AND id = $2 AND version = $6 RETURNING 1',
            [...values, expectedVersion],
          );
    },
    async deleteConnection(kind, id) {
      return changeConnections('DELETE FROM connections WHERE kind = $1 AND id = $2 RETURNING 1', [kind, id]);
    },
    async connectionsVersion() {
      return (
        (await one<{ counter: string }>('SELECT counter FROM connections_changes WHERE one = 1', []))?.counter ?? '0'
      );
    },
  };
}
