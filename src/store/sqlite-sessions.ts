// Browser sessions on SQLite (SessionRecords in ports.ts); the table comes from migration 1.
import type Database from 'better-sqlite3';
import type { SessionRecords } from './ports.ts';

export const SQLITE_SESSIONS_SWEEP = 'DELETE FROM sessions WHERE expires_at <= ?';

export function sqliteSessions(db: Database.Database): SessionRecords {
  const q = {
    getSession: db.prepare<[string, number], { data: string }>(
      'SELECT data FROM sessions WHERE sid = ? AND expires_at > ?',
    ),
    setSession: db.prepare(
      'INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at',
    ),
    touchSession: db.prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?'),
    destroySession: db.prepare('DELETE FROM sessions WHERE sid = ?'),
  };
  return {
    async getSession(sid, now) {
      return q.getSession.get(sid, now.getTime())?.data ?? null;
    },
    async setSession(sid, data, expiresAt) {
      q.setSession.run(sid, data, expiresAt.getTime());
    },
    async touchSession(sid, expiresAt) {
      q.touchSession.run(expiresAt.getTime(), sid);
    },
    async destroySession(sid) {
      q.destroySession.run(sid);
    },
  };
}
