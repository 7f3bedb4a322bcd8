// Timers for the metadata retries that run only when a test fires them, so a test proves "the
// retry picks it up" without waiting 30 seconds and without timing anything.
import assert from 'node:assert/strict';
import type { MetadataTimers } from '../../src/connections/metadata-retry.ts';

export interface FakeTimers {
  timers: MetadataTimers;
  /** Scheduled and not yet fired or cleared, oldest first. */
  pending: Array<{ task: () => Promise<void>; ms: number }>;
  /** Runs the oldest pending task and waits for it. */
  fire(): Promise<void>;
  /** Runs every task pending now (not those they schedule) and waits for them. */
  fireAll(): Promise<void>;
}

export function fakeTimers(): FakeTimers {
  const pending: FakeTimers['pending'] = [];
  const fire = async (): Promise<void> => {
    const next = pending.shift();
    assert.ok(next !== undefined, 'a retry is pending');
    await next.task();
  };
  return {
    pending,
    timers: {
      set(task, ms) {
        const entry = { task, ms };
        pending.push(entry);
        return entry;
      },
      clear(handle) {
        const i = pending.indexOf(handle as (typeof pending)[number]);
        if (i >= 0) pending.splice(i, 1);
      },
    },
    fire,
    async fireAll() {
      const now = pending.splice(0, pending.length);
      await Promise.all(now.map((t) => t.task()));
    },
  };
}
