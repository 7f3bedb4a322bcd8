// Per-client rate limits for the routes worth flooding (sign-in, ACS, API): a fixed window per
// client IP and bucket, in memory. Behind a proxy the client IP comes from `trust proxy`. Several
// instances each count on their own, so the effective limit is per instance.
import type { RequestHandler } from 'express';
import { TooManyRequests } from '../../errors.ts';

export interface RateLimitOptions {
  bucket: string;
  limit: number;
  windowMs: number;
  now?: () => number;
}

const MAX_TRACKED_CLIENTS = 50_000;

export function rateLimit(options: RateLimitOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    const t = now();
    const key = req.ip ?? 'unknown';
    let entry = windows.get(key);
    if (entry === undefined || t - entry.start >= options.windowMs) {
      if (windows.size >= MAX_TRACKED_CLIENTS) {
        for (const [k, w] of windows) if (t - w.start >= options.windowMs) windows.delete(k);
        // Still full of live windows (a flood from many addresses): start over rather than grow.
        if (windows.size >= MAX_TRACKED_CLIENTS) windows.clear();
      }
      entry = { start: t, count: 0 };
      windows.set(key, entry);
    }
    entry.count += 1;
    const retryAfterSeconds = Math.max(1, Math.ceil((entry.start + options.windowMs - t) / 1000));
    res.setHeader('RateLimit-Limit', String(options.limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, options.limit - entry.count)));
    if (entry.count > options.limit) {
      next(new TooManyRequests({ code: 'RATE_LIMITED', publicMessage: `Too many requests; try again in ${retryAfterSeconds} s.`, details: { bucket: options.bucket, retryAfterSeconds } }));
      return;
    }
    next();
  };
}
