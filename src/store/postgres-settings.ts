// The settings rows (the setup token's hash) on PostgreSQL: the settings part of
// ConnectionRecords in ports.ts; the table comes from migration 3.
import type pg from 'pg';
import type { SettingRecords } from './ports.ts';
import { oneRow } from './postgres-one-row.ts';

export function postgresSettings(pool: pg.Pool): SettingRecords {
  const one = oneRow(pool);
  return {
    async getSetting(key) {
      return (await one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value ?? null;
    },
    async setSettingOnce(key, value) {
      return (
        (await one('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key', [
          key,
          value,
        ])) !== undefined
      );
    },
    async takeSetting(key, value) {
      return (
        (await one('DELETE FROM settings WHERE key = $1 AND value = $2 RETURNING key', [key, value])) !== undefined
      );
    },
    async deleteSetting(key) {
      await pool.query('DELETE FROM settings WHERE key = $1', [key]);
    },
  };
}
