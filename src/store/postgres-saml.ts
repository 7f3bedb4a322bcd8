// The SAML request IDs awaiting their response and the replay cache of consumed assertions, on
// PostgreSQL (RequestIdCache and ReplayCache in ports.ts). Single use rests on one atomic
// statement each, never read-then-write.
import type pg from 'pg';
import type { ReplayCache, RequestIdCache } from './ports.ts';
import { oneRow } from './postgres-one-row.ts';

export function postgresSamlCaches(pool: pg.Pool): RequestIdCache & ReplayCache {
  const one = oneRow(pool);
  return {
    async saveRequestId(key, value, expiresAt) {
      await pool.query(
        'INSERT INTO saml_requests (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at',
        [key, value, expiresAt],
      );
    },
    async getRequestId(key, now) {
      return (
        (await one<{ value: string }>('SELECT value FROM saml_requests WHERE key = $1 AND expires_at > $2', [key, now]))
          ?.value ?? null
      );
    },
    async removeRequestId(key) {
      // DELETE … RETURNING: of two instances racing for the same ID, only one gets the value.
      return (
        (await one<{ value: string }>('DELETE FROM saml_requests WHERE key = $1 RETURNING value', [key]))?.value ?? null
      );
    },
    async takeRequestId(key, now) {
      // One DELETE … RETURNING: of two instances taking the same ID, only one gets a row.
      const row = await one<{ value: string; live: boolean }>(
        'DELETE FROM saml_requests WHERE key = $1 RETURNING value, expires_at > $2 AS live',
        [key, now],
      );
      return row?.live === true ? row.value : null;
    },
    async rememberOnce(key, expiresAt, now) {
      // Inserts, or revives an expired row; a live row (even one a concurrent insert just
      // committed) makes the WHERE false and nothing is returned.
      const row = await one(
        'INSERT INTO saml_replay (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE saml_replay.expires_at <= $3 RETURNING key',
        [key, expiresAt, now],
      );
      return row !== undefined;
    },
  };
}
