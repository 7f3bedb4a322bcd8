// Rate-limit hit counters in the SQLite file, so the worker processes of one machine (server.workers)
// count against one budget per client. One upsert per hit; SQLite serialises writers on the file,
// so concurrent hits from several processes are all counted. Windows are timed by this machine's
// clock, which every process on the file shares.
import type Database from 'better-sqlite3';
import type { RateLimitCounters } from './ports.ts';

export const SQLITE_RATE_LIMITS_MIGRATION = `CREATE TABLE rate_limits (key TEXT PRIMARY KEY, hits INTEGER NOT NULL, reset_at INTEGER NOT NULL);
   CREATE INDEX rate_limits_reset ON rate_limits (reset_at);`;

export const SWEEP_SQLITE_RATE_LIMITS = 'DELETE FROM rate_limits WHERE reset_at <= ?';

export function sqliteRateLimits(db: Database.Database, clock: () => number = Date.now): RateLimitCounters {
  // A live window counts on; an ended one (not yet swept) starts over at 1.
  const increment = db.prepare<[{ key: string; resetAt: number; now: number }], { hits: number; reset_at: number }>(
    `INSERT INTO rate_limits (key, hits, reset_at) VALUES (@key, 1, @resetAt)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN rate_limits.reset_at <= @now THEN 1 ELSE rate_limits.hits + 1 END,
       reset_at = CASE WHEN rate_limits.reset_at <= @now THEN excluded.reset_at ELSE rate_limits.reset_at END
     RETURNING hits, reset_at`,
  );
  const decrement = db.prepare('UPDATE rate_limits SET hits = hits - 1 WHERE key = ? AND hits > 0 AND reset_at > ?');
  const reset = db.prepare('DELETE FROM rate_limits WHERE key = ?');
  return {
    async incrementHit(key, windowMs) {
      const now = clock();
      const row = increment.get({ key, resetAt: now + windowMs, now });
      if (row === undefined) throw new Error('rate limit upsert returned no row');
      return { hits: row.hits, resetAt: new Date(row.reset_at) };
    },
    async decrementHit(key) {
      decrement.run(key, clock());
    },
    async resetHits(key) {
      reset.run(key);
    },
  };
}
