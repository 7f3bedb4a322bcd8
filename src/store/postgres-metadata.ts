// The last good metadata document per IdP metadata URL on PostgreSQL (MetadataRecords in
// ports.ts); the table comes from migration 4.
import type pg from 'pg';
import type { MetadataRecords } from './ports.ts';
import { oneRow } from './postgres-one-row.ts';

export function postgresMetadata(pool: pg.Pool): MetadataRecords {
  const one = oneRow(pool);
  return {
    async getMetadata(url) {
      const row = await one<{ xml: string; fetched_at: Date }>(
        'SELECT xml, fetched_at FROM idp_metadata WHERE url = $1',
        [url],
      );
      return row === undefined ? null : { xml: row.xml, fetchedAt: row.fetched_at };
    },
    async putMetadata(url, xml, fetchedAt) {
      await pool.query(
        'INSERT INTO idp_metadata (url, xml, fetched_at) VALUES ($1, $2, $3) ON CONFLICT (url) DO UPDATE SET xml = excluded.xml, fetched_at = excluded.fetched_at WHERE idp_metadata.fetched_at <= excluded.fetched_at',
        [url, xml, fetchedAt],
      );
    },
  };
}
