// Audit retention: events older than audit.retentionDays are deleted by a job that runs on one
// instance at a time (the store's job lock), in batches with a pause between them so sign-ins
// keep their share of the database, and that records what it deleted in the trail itself.
import type { Logger } from '../logger.ts';
import type { AuditLog, JobLocks } from '../store/ports.ts';
import type { MetadataTimers } from '../connections/metadata-retry.ts';

export const PRUNE_LOCK = 'audit-prune';
const DAY_MS = 86_400_000;

export interface AuditPrunerOptions {
  store: AuditLog & JobLocks;
  retentionDays: number;
  intervalMs: number;
  /** Rows per DELETE; default 10,000. */
  batchSize?: number;
  now: () => Date;
  timers: MetadataTimers;
  logger: Logger;
  /** The pause between batches; default the next turn of the event loop. */
  pause?: () => Promise<void>;
}

export type PruneOutcome = { ran: true; deleted: number; cutoff: Date; batches: number } | { ran: false };

export class AuditPruner {
  private handle: unknown;
  private running: Promise<PruneOutcome> | undefined;
  private stopped = false;

  constructor(private readonly options: AuditPrunerOptions) {}

  /** Schedules runs every intervalMs, the first after `firstDelayMs`. */
  start(firstDelayMs = this.options.intervalMs): void {
    this.schedule(firstDelayMs);
  }

  /** Stops the schedule and waits for a run in progress, which ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle !== undefined) this.options.timers.clear(this.handle);
    this.handle = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pruning run, unless another instance (or another run here) holds the lock. */
  runOnce(): Promise<PruneOutcome> {
    const run = this.prune().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.handle = this.options.timers.set(async () => {
      try {
        await this.runOnce();
      } catch (err) {
        this.options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'audit pruning failed');
      }
      this.schedule(this.options.intervalMs);
    }, ms);
  }

  private async prune(): Promise<PruneOutcome> {
    const { store, retentionDays, now, logger } = this.options;
    const batchSize = this.options.batchSize ?? 10_000;
    const pause = this.options.pause ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
    const cutoff = new Date(now().getTime() - retentionDays * DAY_MS);
    const result = await store.runExclusive(PRUNE_LOCK, async (renew) => {
      let deleted = 0;
      let batches = 0;
      while (!this.stopped) {
        const n = await store.pruneAudit(cutoff, batchSize);
        deleted += n;
        batches += 1;
        if (n < batchSize) break;
        await renew();
        await pause();
      }
      // Only runs that deleted something: an hourly "nothing to do" would itself fill the trail.
      const details = { deleted, cutoff: cutoff.toISOString(), retentionDays, batches };
      if (deleted > 0) await store.appendAudit({ at: now(), kind: 'audit_pruned', outcome: 'ok', details });
      return { deleted, batches };
    });
    if (!result.ran) {
      logger.debug({}, 'audit pruning skipped: another instance is running it');
      return { ran: false };
    }
    const { deleted, batches } = result.value;
    logger.info({ deleted, cutoff: cutoff.toISOString(), batches }, 'audit trail pruned');
    return { ran: true, cutoff, ...result.value };
  }
}
