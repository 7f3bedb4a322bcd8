// Per-client rate limits for the routes worth flooding (sign-in, ACS, API), through
// express-rate-limit: a fixed window per client and bucket. The client is its IP (through
// `trust proxy`), or for IPv6 its subnet, since one host can hold a whole /64. Counts live in the
// store when it is shared (PostgreSQL: one budget across instances), else in this process.
import {
  MemoryStore,
  rateLimit as expressRateLimit,
  type Options,
  type Store as LimiterStore,
} from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { TooManyRequests } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { RateLimitCounters } from '../../store/ports.ts';

export interface RateLimitOptions {
  bucket: string;
  limit: number;
  windowMs: number;
  /** IPv6 clients are counted by this prefix length (default 56: what an ISP hands one customer). */
  ipv6Subnet?: number;
  /** Shared counters (PostgreSQL); without them each instance counts in memory. */
  counters?: RateLimitCounters;
  logger?: Logger;
}

export function rateLimit(options: RateLimitOptions): RequestHandler {
  return expressRateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    ipv6Subnet: options.ipv6Subnet ?? 56,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    store:
      options.counters === undefined
        ? new MemoryStore()
        : new SharedCounterStore(options.counters, `${options.bucket}:`),
    // The refusal goes through the app's error handler: the same page or JSON, code and Retry-After.
    handler: (req, _res, next, used: Options) => {
      const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const left = resetTime === undefined ? used.windowMs : resetTime.getTime() - Date.now();
      const retryAfterSeconds = Math.max(1, Math.ceil(left / 1000));
      next(
        new TooManyRequests({
          code: 'RATE_LIMITED',
          publicMessage: `Too many requests; try again in ${retryAfterSeconds} s.`,
          details: { bucket: options.bucket, retryAfterSeconds },
        }),
      );
    },
    // A failing shared store fails the request (500 through the error handler) rather than lifting the limit.
    passOnStoreError: false,
    // The configuration refuses or warns about trust proxy at start-up; these per-request checks
    // would only repeat it, or let any client with a forged header write a warning.
    validate: { trustProxy: false, xForwardedForHeader: false, forwardedHeader: false },
    ...(options.logger === undefined ? {} : { logger: limiterLogger(options.logger) }),
  });
}

/** express-rate-limit's Store over the service's shared counters; `prefix` keeps the buckets apart. */
class SharedCounterStore implements LimiterStore {
  readonly localKeys = false;
  private windowMs = 60_000;
  constructor(
    private readonly counters: RateLimitCounters,
    readonly prefix: string,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<{ totalHits: number; resetTime: Date }> {
    const { hits, resetAt } = await this.counters.incrementHit(this.prefix + key, this.windowMs);
    return { totalHits: hits, resetTime: resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.counters.decrementHit(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.counters.resetHits(this.prefix + key);
  }
}

function limiterLogger(logger: Logger): Options['logger'] {
  const log = logger.child({ module: 'rate-limit' });
  const fields = (error: unknown) => ({
    err: error instanceof Error ? { name: error.name, message: error.message } : String(error),
  });
  return {
    error: (error, message) => log.error(fields(error), message ?? 'rate limiter error'),
    warn: (error, message) => log.warn(fields(error), message ?? 'rate limiter warning'),
  };
}
