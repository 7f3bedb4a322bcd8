// IdP connections and clusters entered in the console, the settings rows (the setup token's hash)
// and the last good metadata documents, on SQLite (ConnectionRecords and MetadataRecords in
// ports.ts); tables from migrations 3 and 4.
import type Database from 'better-sqlite3';
import type { ConnectionRecords, MetadataRecords } from './ports.ts';

export function sqliteConnections(db: Database.Database): ConnectionRecords & MetadataRecords {
  const q = {
    listConnections: db.prepare<[string], { id: string; entry: string; version: number; updated_at: number; updated_by: string }>(
      'SELECT id, entry, version, updated_at, updated_by FROM connections WHERE kind = ? ORDER BY id',
    ),
    insertConnection: db.prepare('INSERT INTO connections (kind, id, entry, version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING'),
    updateConnection: db.prepare('UPDATE connections SET entry = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ? AND version = ?'),
    deleteConnection: db.prepare('DELETE FROM connections WHERE kind = ? AND id = ?'),
    bumpConnections: db.prepare('UPDATE connections_changes SET counter = counter + 1 WHERE one = 1'),
    connectionsVersion: db.prepare<[], { counter: number }>('SELECT counter FROM connections_changes WHERE one = 1'),
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSettingOnce: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteSetting: db.prepare('DELETE FROM settings WHERE key = ?'),
    getMetadata: db.prepare<[string], { xml: string; fetched_at: number }>('SELECT xml, fetched_at FROM idp_metadata WHERE url = ?'),
    putMetadata: db.prepare(
      'INSERT INTO idp_metadata (url, xml, fetched_at) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET xml = excluded.xml, fetched_at = excluded.fetched_at WHERE idp_metadata.fetched_at <= excluded.fetched_at',
    ),
    takeSetting: db.prepare('DELETE FROM settings WHERE key = ? AND value = ?'),
  };
  return {
    async listConnections(kind) {
      return q.listConnections.all(kind).map((row) => ({
        kind,
        id: row.id,
        entry: JSON.parse(row.entry) as Record<string, unknown>,
        version: row.version,
        updatedAt: new Date(row.updated_at),
        updatedBy: row.updated_by,
      }));
    },
    async putConnection(record, expectedVersion) {
      const entry = JSON.stringify(record.entry);
      const at = record.updatedAt.getTime();
      return db.transaction(() => {
        const changed =
          expectedVersion === 0
            ? q.insertConnection.run(record.kind, record.id, entry, at, record.updatedBy).changes
            : q.updateConnection.run(entry, at, record.updatedBy, record.kind, record.id, expectedVersion).changes;
        if (changed === 1) q.bumpConnections.run();
        return changed === 1;
      })();
    },
    async deleteConnection(kind, id) {
      return db.transaction(() => {
        const changed = q.deleteConnection.run(kind, id).changes;
        if (changed === 1) q.bumpConnections.run();
        return changed === 1;
      })();
    },
    async connectionsVersion() {
      return String(q.connectionsVersion.get()?.counter ?? 0);
    },
    async getSetting(key) {
      return q.getSetting.get(key)?.value ?? null;
    },
    async setSettingOnce(key, value) {
      return q.setSettingOnce.run(key, value).changes === 1;
    },
    async takeSetting(key, value) {
      return q.takeSetting.run(key, value).changes === 1;
    },
    async deleteSetting(key) {
      q.deleteSetting.run(key);
    },
    async getMetadata(url) {
      const row = q.getMetadata.get(url);
      return row === undefined ? null : { xml: row.xml, fetchedAt: new Date(row.fetched_at) };
    },
    async putMetadata(url, xml, fetchedAt) {
      q.putMetadata.run(url, xml, fetchedAt.getTime());
    },
  };
}
