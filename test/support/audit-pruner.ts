// The audit pruning job as its tests build it: a fixed clock, 30 days' retention, hourly runs on
// fake timers, silent logs; each test overrides what it is about (batch size, a pause).
import { AuditPruner, type AuditPrunerOptions } from '../../src/audit/audit-retention.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/ports.ts';
import { fakeTimers } from './fake-timers.ts';

/** The pruners' clock. */
export const PRUNE_NOW = new Date('2030-06-01T12:00:00.000Z');

/** A pruner on `store` (batches of 3 unless `options` say otherwise). */
export function aPruner(store: Store, options: Partial<AuditPrunerOptions> = {}): AuditPruner {
  return new AuditPruner({
    store,
    retentionDays: 30,
    intervalMs: 3_600_000,
    batchSize: 3,
    now: () => PRUNE_NOW,
    timers: fakeTimers().timers,
    logger: createLogger({ level: 'silent' }),
    ...options,
  });
}
