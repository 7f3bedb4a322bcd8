// Rate-limit hit counters in PostgreSQL, so every instance on the database counts against one
// budget per client. One atomic upsert per hit; windows are timed by the database clock, which
// all instances share even when their own clocks drift.
import type pg from 'pg';
import type { RateLimitCounters } from './ports.ts';

export const RATE_LIMITS_MIGRATION = `CREATE TABLE rate_limits (key text PRIMARY KEY, hits integer NOT NULL, reset_at timestamptz NOT NULL);
   CREATE INDEX rate_limits_reset ON rate_limits (reset_at);`;

/** Deletes the windows that have ended; a CTE for the store's sweep statement. */
export const SWEEP_RATE_LIMITS = 'DELETE FROM rate_limits WHERE reset_at <= now() RETURNING 1';

export function postgresRateLimits(pool: pg.Pool): RateLimitCounters {
  return {
    async incrementHit(key, windowMs) {
      // A live window counts on; an ended one (not yet swept) starts over at 1. Concurrent hits on
      // one key serialise on the row lock, so none is lost.
      const { rows } = await pool.query<{ hits: number; reset_at: Date }>(
        `INSERT INTO rate_limits (key, hits, reset_at) VALUES ($1, 1, now() + make_interval(secs => $2 / 1000.0))
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN rate_limits.reset_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
           reset_at = CASE WHEN rate_limits.reset_at <= now() THEN EXCLUDED.reset_at ELSE rate_limits.reset_at END
         RETURNING hits, reset_at`,
        [key, windowMs],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('rate limit upsert returned no row');
      return { hits: row.hits, resetAt: row.reset_at };
    },
    async decrementHit(key) {
      await pool.query('UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0 AND reset_at > now()', [
        key,
      ]);
    },
    async resetHits(key) {
      await pool.query('DELETE FROM rate_limits WHERE key = $1', [key]);
    },
  };
}
