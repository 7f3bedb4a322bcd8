// Composition root: builds every dependency from the configuration and returns the Express app
// and a close function. The only place that picks implementations; tests pass their own. The
// parts are built in src/wiring/; the timers are built here but started by main.ts (jobs.start).
import type { Express } from 'express';
import type { Config } from './config/schema.ts';
import type { Logger } from './logger.ts';
import type { Store } from './store/ports.ts';
import type { ServiceProvider } from './saml/service-provider.ts';
import type { ConnectionRegistry } from './connections/connection-registry.ts';
import type { MetadataCache } from './connections/metadata-cache.ts';
import { realTimers } from './connections/metadata-retry.ts';
import { AuditPruner } from './audit/audit-retention.ts';
import { issueSetupTokenOnce, withdrawSetupToken } from './setup-token/setup-token.ts';
import type { Metrics } from './metrics.ts';
import { validationLoad } from './saml/validation-pool.ts';
import { backgroundJobs, type BackgroundJobs } from './background-jobs.ts';
import type { AppOverrides } from './wiring/overrides.ts';
import { buildConnections, buildCore } from './wiring/core.ts';
import { buildUseCases } from './wiring/use-cases.ts';
import { buildServer } from './wiring/routes.ts';

export type { AppOverrides };

export interface App {
  app: Express;
  registry: ConnectionRegistry;
  metadata: MetadataCache;
  /** A one-time admin setup token when no IdP exists and none is outstanding; hand it out once. */
  issueSetupToken(): Promise<string | undefined>;
  /** Takes back a token that could not be handed out, so the next start issues another. */
  withdrawSetupToken(token: string): Promise<void>;
  sp: ServiceProvider;
  store: Store;
  logger: Logger;
  /** This app's Prometheus registry (served per config.metrics). */
  metrics: Metrics;
  /** The audit retention job (started with the jobs; runOnce for tests and operators). */
  auditPruner: AuditPruner;
  /** The timers (metadata refresh, sweeper, audit pruner, certificate expiry): main.ts starts them. */
  jobs: BackgroundJobs;
  /** /readyz answers 503 from now on: the process is shutting down. */
  startDraining(): void;
  /** Stops the jobs, then closes the metadata fetches, the AWS clients and the store. */
  close(): Promise<void>;
}

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const core = buildCore(config, overrides);
  const { store, logger, now, metrics } = core;
  const connections = buildConnections(core, overrides);
  const useCases = buildUseCases(core, connections);
  let draining = false;
  const app = buildServer({ core, connections, useCases, overrides, draining: () => draining });
  // IdP signing certificates close to their end: a gauge read at each scrape (and a daily log line).
  metrics.watchCertificates(() =>
    useCases.certificates().map((c) => ({ idp: c.idpId, fingerprint: c.fingerprint, days: c.days })),
  );
  metrics.watchValidation(validationLoad);
  const auditPruner = new AuditPruner({
    store,
    retentionDays: config.audit.retentionDays,
    intervalMs: config.audit.pruneIntervalMinutes * 60_000,
    now,
    logger,
    timers: overrides.auditPrune?.timers ?? realTimers,
    batchSize: overrides.auditPrune?.batchSize,
  });
  const { registry, metadata } = connections;
  const jobs = backgroundJobs({
    config,
    store,
    registry,
    metadata,
    auditPruner,
    logger,
    now,
    certificateExpiryTimers: overrides.certificateExpiryTimers,
  });
  return {
    app,
    registry,
    metadata,
    issueSetupToken: async () => issueSetupTokenOnce(store, useCases.hasAnyIdp()),
    withdrawSetupToken: (token) => withdrawSetupToken(store, token),
    sp: connections.sp,
    store,
    logger,
    metrics,
    auditPruner,
    jobs,
    startDraining: () => {
      draining = true;
    },
    async close() {
      // A prune in progress ends after its current batch, before the store closes under it.
      await jobs.stop();
      metadata.close();
      core.closeAws();
      await store.close();
    },
  };
}
