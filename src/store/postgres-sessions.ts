// Browser sessions on PostgreSQL (SessionRecords in ports.ts); the table comes from migration 1.
import type pg from 'pg';
import type { SessionRecords } from './ports.ts';
import { oneRow } from './postgres-one-row.ts';

export function postgresSessions(pool: pg.Pool): SessionRecords {
  const one = oneRow(pool);
  return {
    async getSession(sid, now) {
      return (
        (await one<{ data: string }>('SELECT data FROM sessions WHERE sid = $1 AND expires_at > $2', [sid, now]))
          ?.data ?? null
      );
    },
    async setSession(sid, data, expiresAt) {
      await pool.query(
        'INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at',
        [sid, data, expiresAt],
      );
    },
    async touchSession(sid, expiresAt) {
      await pool.query('UPDATE sessions SET expires_at = $2 WHERE sid = $1', [sid, expiresAt]);
    },
    async destroySession(sid) {
      await pool.query('DELETE FROM sessions WHERE sid = $1', [sid]);
    },
  };
}
