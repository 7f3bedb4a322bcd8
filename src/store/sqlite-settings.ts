// The settings rows (the setup token's hash) on SQLite: the settings part of ConnectionRecords
// in ports.ts; the table comes from migration 3.
import type Database from 'better-sqlite3';
import type { SettingRecords } from './ports.ts';

export function sqliteSettings(db: Database.Database): SettingRecords {
  const q = {
    getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
    setSettingOnce: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING'),
    deleteSetting: db.prepare('DELETE FROM settings WHERE key = ?'),
    takeSetting: db.prepare('DELETE FROM settings WHERE key = ? AND value = ?'),
  };
  return {
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
  };
}
