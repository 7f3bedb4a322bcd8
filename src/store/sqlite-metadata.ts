// The last good metadata document per IdP metadata URL on SQLite (MetadataRecords in ports.ts);
// the table comes from migration 4.
import type Database from 'better-sqlite3';
import type { MetadataRecords } from './ports.ts';

export function sqliteMetadata(db: Database.Database): MetadataRecords {
  const q = {
    getMetadata: db.prepare<[string], { xml: string; fetched_at: number }>(
      'SELECT xml, fetched_at FROM idp_metadata WHERE url = ?',
    ),
    putMetadata: db.prepare(
      'INSERT INTO idp_metadata (url, xml, fetched_at) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET xml = excluded.xml, fetched_at = excluded.fetched_at WHERE idp_metadata.fetched_at <= excluded.fetched_at',
    ),
  };
  return {
    async getMetadata(url) {
      const row = q.getMetadata.get(url);
      return row === undefined ? null : { xml: row.xml, fetchedAt: new Date(row.fetched_at) };
    },
    async putMetadata(url, xml, fetchedAt) {
      q.putMetadata.run(url, xml, fetchedAt.getTime());
    },
  };
}
