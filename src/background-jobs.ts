// The service's timers: metadata refresh, sweeping expired rows, audit pruning and the daily
// certificate expiry warning. app.ts builds them stopped; main.ts starts them once the service is
// up, and the app's close() stops them before the store closes. Tests that build the app in
// process start them only when they exercise one.
import type { Config } from './config/schema.ts';
import type { Logger } from './logger.ts';
import type { Store } from './store/ports.ts';
import type { ConnectionRegistry } from './connections/connection-registry.ts';
import type { MetadataCache } from './connections/metadata-cache.ts';
import type { MetadataTimers } from './connections/metadata-retry.ts';
import type { AuditPruner } from './audit/audit-retention.ts';
import { startCertificateExpiryLog, type ExpiryLog } from './admin/certificate-expiry.ts';

const SWEEP_INTERVAL_MS = 60_000;
const FIRST_PRUNE_DELAY_MS = 60_000;

export interface BackgroundJobsDeps {
  config: Config;
  store: Store;
  registry: ConnectionRegistry;
  metadata: MetadataCache;
  auditPruner: AuditPruner;
  logger: Logger;
  now: () => Date;
  /** Timers of the daily certificate expiry warning (tests fire them by hand). */
  certificateExpiryTimers?: MetadataTimers;
}

export interface BackgroundJobs {
  /** Starts every timer; a second call does nothing. */
  start(): void;
  /** Stops every timer; a prune in progress ends after its current batch. */
  stop(): Promise<void>;
}

export function backgroundJobs(deps: BackgroundJobsDeps): BackgroundJobs {
  const { config, store, registry, metadata, auditPruner, logger, now } = deps;
  let intervals: NodeJS.Timeout[] | undefined;
  let expiryLog: ExpiryLog | undefined;
  const every = (ms: number, task: () => Promise<unknown>, failure: string): NodeJS.Timeout => {
    const timer = setInterval(() => {
      task().catch((err: unknown) => logger.error({ err }, failure));
    }, ms);
    timer.unref();
    return timer;
  };
  return {
    start() {
      if (intervals !== undefined) return;
      intervals = [
        every(
          config.sp.metadataFetch.refreshIntervalSeconds * 1000,
          () => metadata.refresh(registry.metadataUrls()),
          'metadata refresh failed',
        ),
        every(SWEEP_INTERVAL_MS, () => store.sweepExpired(now()), 'sweeping expired rows failed'),
      ];
      // Soon after start-up too, so instances restarted more often than the interval still prune.
      auditPruner.start(Math.min(FIRST_PRUNE_DELAY_MS, config.audit.pruneIntervalMinutes * 60_000));
      expiryLog = startCertificateExpiryLog({
        idps: () => registry.refresh().then((snapshot) => snapshot.idps),
        now,
        logger,
        timers: deps.certificateExpiryTimers,
      });
    },
    async stop() {
      for (const timer of intervals ?? []) clearInterval(timer);
      expiryLog?.stop();
      await auditPruner.stop();
    },
  };
}
