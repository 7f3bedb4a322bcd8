// Backoff for metadata fetches that failed: 30 s, doubling, with jitter, until the delay would
// reach the scheduled refresh interval (from there the scheduled refresh is the retry). Timers
// are a port so tests can run the retries without waiting.

export const RETRY_BASE_MS = 30_000;

export interface MetadataTimers {
  /** Runs `task` after `ms` milliseconds; the returned handle goes to `clear`. */
  set(task: () => Promise<void>, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout, unref'd: a pending retry never keeps the process alive. */
export const realTimers: MetadataTimers = {
  set(task, ms) {
    const timer = setTimeout(() => void task(), ms);
    timer.unref();
    return timer;
  },
  clear(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/**
 * The delay before retry number `attempt + 1`, or undefined when backoff has reached `maxMs`.
 * "Equal jitter": between half and all of the doubled delay, so instances that failed together
 * do not come back together.
 */
export function backoffDelayMs(attempt: number, maxMs: number, random: () => number): number | undefined {
  const delay = RETRY_BASE_MS * 2 ** attempt;
  if (delay >= maxMs) return undefined;
  return Math.round(delay / 2 + (random() * delay) / 2);
}

/** A metadata URL for logs: scheme, host and path, never userinfo or a query (they may hold a token). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
