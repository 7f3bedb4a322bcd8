// IdP connections and clusters entered in the console, on SQLite (ConnectionRecords in ports.ts;
// settings in sqlite-settings.ts); tables from migration 3.
import type Database from 'better-sqlite3';
import type { ConnectionRecords, SettingRecords } from './ports.ts';

export function sqliteConnections(db: Database.Database): Omit<ConnectionRecords, keyof SettingRecords> {
  const q = {
    listConnections: db.prepare<
      [string],
      { id: string; entry: string; version: number; updated_at: number; updated_by: string }
    >('SELECT id, entry, version, updated_at, updated_by FROM connections WHERE kind = ? ORDER BY id'),
    insertConnection: db.prepare(
      'INSERT INTO connections (kind, id, entry, version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT DO NOTHING',
    ),
    updateConnection: db.prepare(
      'UPDATE connections SET entry = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE kind = ? AND id = ? AND version = ?',
    ),
    deleteConnection: db.prepare('DELETE FROM connections WHERE kind = ? AND id = ?'),
    bumpConnections: db.prepare('UPDATE connections_changes SET counter = counter + 1 WHERE one = 1'),
    connectionsVersion: db.prepare<[], { counter: number }>('SELECT counter FROM connections_changes WHERE one = 1'),
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
  };
}
