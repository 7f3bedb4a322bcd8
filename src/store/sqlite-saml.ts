// The SAML request IDs awaiting their response and the replay cache of consumed assertions, on
// SQLite (RequestIdCache and ReplayCache in ports.ts); tables from migration 1.
import type Database from 'better-sqlite3';
import type { ReplayCache, RequestIdCache } from './ports.ts';

export const SQLITE_SAML_SWEEPS = [
  'DELETE FROM saml_requests WHERE expires_at <= ?',
  'DELETE FROM saml_replay WHERE expires_at <= ?',
];

export function sqliteSamlCaches(db: Database.Database): RequestIdCache & ReplayCache {
  const q = {
    saveRequest: db.prepare(
      'INSERT INTO saml_requests (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    ),
    getRequest: db.prepare<[string, number], { value: string }>(
      'SELECT value FROM saml_requests WHERE key = ? AND expires_at > ?',
    ),
    removeRequest: db.prepare<[string], { value: string }>('DELETE FROM saml_requests WHERE key = ? RETURNING value'),
    takeRequest: db.prepare<[string], { value: string; expires_at: number }>(
      'DELETE FROM saml_requests WHERE key = ? RETURNING value, expires_at',
    ),
    insertReplay: db.prepare(
      'INSERT INTO saml_replay (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE saml_replay.expires_at <= ?',
    ),
  };
  return {
    async saveRequestId(key, value, expiresAt) {
      q.saveRequest.run(key, value, expiresAt.getTime());
    },
    async getRequestId(key, now) {
      return q.getRequest.get(key, now.getTime())?.value ?? null;
    },
    async removeRequestId(key) {
      return q.removeRequest.get(key)?.value ?? null;
    },
    async takeRequestId(key, now) {
      // An expired row goes too: it could never be used again.
      const row = q.takeRequest.get(key);
      return row !== undefined && row.expires_at > now.getTime() ? row.value : null;
    },
    async rememberOnce(key, expiresAt, now) {
      // One statement: inserts, or revives an expired row; a live row makes it change nothing.
      return q.insertReplay.run(key, expiresAt.getTime(), now.getTime()).changes === 1;
    },
  };
}
