// The app's infrastructure from the configuration: logger, clock, store, outbound proxy, AWS
// clients (instrumented), metrics, and the live IdP/cluster connections with their metadata.
import passport from 'passport';
import type { Config } from '../config/schema.ts';
import { warnAboutTrustProxy } from '../config/trust-proxy-warning.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { Store } from '../store/ports.ts';
import { openStoreSync } from '../store/open.ts';
import type { RedshiftApi, StsApi } from '../aws/ports.ts';
import { createAwsApis } from '../aws/sdk.ts';
import { instrumentRedshift, instrumentSts } from '../aws/instrumented.ts';
import { resolveIdpConnection } from '../saml/idp-connection.ts';
import { ServiceProvider } from '../saml/service-provider.ts';
import { idpResolveContext, resolveIdps, spSettings } from '../saml/sp-settings.ts';
import { ConnectionRegistry } from '../connections/connection-registry.ts';
import { MetadataCache } from '../connections/metadata-cache.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { processMetricLabels, shareWithPrimary } from '../cluster-metrics.ts';
import { OutboundProxy } from '../outbound/proxy-route.ts';
import type { AppOverrides } from './overrides.ts';

export interface Core {
  config: Config;
  logger: Logger;
  now: () => Date;
  store: Store;
  fetchOptions: Config['sp']['metadataFetch'] & { proxy: OutboundProxy };
  metrics: Metrics;
  sts: StsApi;
  redshift: RedshiftApi;
  /** Closes the AWS clients this app made (none when the overrides passed both). */
  closeAws: () => void;
}

export interface Connections {
  sp: ServiceProvider;
  metadata: MetadataCache;
  registry: ConnectionRegistry;
}

/** The outbound proxy settings, logged once (without the proxy's user and password) when one is set. */
export function outboundProxy(config: Config, logger?: Logger): OutboundProxy {
  const proxy = new OutboundProxy(config.outboundProxy);
  if (proxy.enabled) logger?.info(proxy.describe(), 'outbound proxy');
  if (proxy.ignoredEntries.length > 0)
    logger?.warn({ ignoredNoProxy: proxy.ignoredEntries }, 'NO_PROXY entries not understood; they match nothing');
  return proxy;
}

export function buildCore(config: Config, overrides: AppOverrides): Core {
  const logger = overrides.logger ?? createLogger(config.log);
  warnAboutTrustProxy(config, logger);
  const proxy = outboundProxy(config, logger);
  const aws =
    overrides.sts !== undefined && overrides.redshift !== undefined ? undefined : createAwsApis(config.aws, proxy);
  // Exposed metrics only: the process metrics start monitors that live as long as the process.
  // In a cluster worker, render asks the primary for the sum over every worker (cluster-metrics.ts).
  const metrics = shareWithPrimary(
    createMetrics({
      processMetrics: config.metrics.port !== undefined || config.metrics.token !== undefined,
      processLabels: processMetricLabels(),
    }),
  );
  return {
    config,
    logger,
    now: overrides.now ?? (() => new Date()),
    store: overrides.store ?? openStoreSync(config.store.url),
    fetchOptions: { ...config.sp.metadataFetch, proxy },
    metrics,
    sts: instrumentSts(overrides.sts ?? (aws as NonNullable<typeof aws>).sts, metrics.awsCall),
    redshift: instrumentRedshift(overrides.redshift ?? (aws as NonNullable<typeof aws>).redshift, metrics.awsCall),
    closeAws: () => aws?.close(),
  };
}

export function buildConnections(core: Core, overrides: AppOverrides): Connections {
  const { config, store, logger, now } = core;
  // One Passport per app (several apps in one process never share strategies or sessions).
  const sp = new ServiceProvider(
    spSettings(config),
    resolveIdps(config, overrides.idpMetadata),
    store,
    store,
    now,
    new passport.Passport(),
  );
  const metadata = new MetadataCache({
    fetchOptions: core.fetchOptions,
    audit: store,
    records: store,
    logger,
    now,
    retryMaxMs: config.sp.metadataFetch.refreshIntervalSeconds * 1000,
    ...overrides.metadataRetry,
  });
  for (const entry of config.idps) {
    const xml = entry.metadataUrl === undefined ? undefined : overrides.idpMetadata?.get(entry.id);
    if (entry.metadataUrl !== undefined && xml !== undefined) metadata.seed(entry.metadataUrl, xml);
  }
  const registry = new ConnectionRegistry({
    fileIdpEntries: config.idps,
    fileClusters: config.clusters,
    store,
    resolveIdp: (entry, index, metadataXml) =>
      resolveIdpConnection(entry, { ...idpResolveContext(config, index), fetchedMetadataXml: metadataXml }),
    metadata,
    logger,
    onIdpsChanged: (idps) => sp.setConnections(idps),
  });
  return { sp, metadata, registry };
}
