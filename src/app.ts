// Composition root: builds every dependency from the configuration and returns the Express app
// and a close function. The only place that picks implementations; tests pass their own.
import { readFileSync } from 'node:fs';
import type { Express, Router } from 'express';
import passport from 'passport';
import type { Config } from './config/schema.ts';
import { DEFAULT_AUDIENCES } from './config/schema.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Store } from './store/ports.ts';
import { openSqliteStore, type SqliteStoreOptions } from './store/sqlite.ts';
import { openPostgresStore } from './store/postgres.ts';
import { ConfigError } from './errors.ts';
import type { RedshiftApi, StsApi } from './aws/ports.ts';
import { createAwsApis } from './aws/sdk.ts';
import { instrumentRedshift, instrumentSts } from './aws/instrumented.ts';
import { loadPem, resolveIdpConnection } from './saml/idp-connection.ts';
import { ServiceProvider, type SpSettings } from './saml/service-provider.ts';
import { SingleLogout } from './saml/single-logout.ts';
import { ConnectionRegistry } from './admin/connection-registry.ts';
import { MetadataCache } from './admin/metadata-cache.ts';
import { realTimers, type MetadataTimers } from './admin/metadata-retry.ts';
import { AuditPruner } from './admin/audit-retention.ts';
import { certificateExpiries, startCertificateExpiryLog } from './admin/certificate-expiry.ts';
import { IdpAdmin } from './admin/idp-admin.ts';
import { ClusterAdmin } from './admin/cluster-admin.ts';
import { ClusterTester } from './credentials/cluster-test.ts';
import { createAdminAuditor } from './admin/admin-audit.ts';
import { consumeSetupToken, issueSetupTokenOnce, withdrawSetupToken } from './admin/setup-token.ts';
import { adminSessionProblem } from './admin/admin-session.ts';
import { sessionExpiredError } from './credentials/session-lifetime.ts';
import { requestContext } from './web/request-context.ts';
import { adminRoutes } from './web/routes/admin.ts';
import { createLoginBinding } from './web/login-binding.ts';
import { createRoleSessionVault } from './credentials/role-session-vault.ts';
import { EndpointCache } from './credentials/issue-db-login.ts';
import { LoginService } from './credentials/login-service.ts';
import { createServer } from './web/server.ts';
import { ssoRoutes } from './web/routes/sso.ts';
import { dbLoginRoutes } from './web/routes/db-login.ts';
import { apiRoutes } from './web/routes/api.ts';
import { healthRoutes } from './web/routes/health.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { processMetricLabels, shareWithPrimary } from './cluster-metrics.ts';
import { createAuditTrail } from './credentials/audit-trail.ts';
import { createCliAudit } from './credentials/cli-audit.ts';
import { createIssuedLoginBox } from './credentials/issued-login-box.ts';
import { CliTokens } from './credentials/cli-tokens.ts';
import { CodeGrant } from './credentials/cli-code-grant.ts';
import { DeviceGrant } from './credentials/cli-device-grant.ts';
import { cliApiRoutes } from './web/routes/cli-api.ts';
import { cliPageRoutes } from './web/routes/cli-pages.ts';
import { caBundleRoutes } from './web/routes/ca-bundle.ts';
import { createLastIdp } from './web/last-idp.ts';
import { OutboundProxy } from './outbound/proxy-route.ts';

export interface AppOverrides {
  logger?: Logger;
  store?: Store;
  sts?: StsApi;
  redshift?: RedshiftApi;
  now?: () => Date;
  /** Extra routers mounted before the service's own (the demo IdP). */
  extraRouters?: Router[];
  /** Demo mode is running (its built-in IdP and emulator): every page carries the demo banner. */
  demo?: boolean;
  /** Metadata fetched from the IdPs' metadataUrl, by IdP id (see startApp). */
  idpMetadata?: ReadonlyMap<string, string>;
  /** Timers and randomness for the metadata fetch retries (tests run them without waiting). */
  metadataRetry?: { timers?: MetadataTimers; random?: () => number };
  /** Timers and batch size of the audit pruning job (tests run it without waiting). */
  auditPrune?: { timers?: MetadataTimers; batchSize?: number };
  /** Timers of the daily certificate expiry warning (tests fire them by hand). */
  certificateExpiryTimers?: MetadataTimers;
}

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
  /** The audit retention job (started with the app; runOnce for tests and operators). */
  auditPruner: AuditPruner;
  /** /readyz answers 503 from now on: the process is shutting down. */
  startDraining(): void;
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60_000;
const FIRST_PRUNE_DELAY_MS = 60_000;

export function createApp(config: Config, overrides: AppOverrides = {}): App {
  const logger = overrides.logger ?? createLogger(config.log);
  warnAboutTrustProxy(config, logger);
  const now = overrides.now ?? (() => new Date());
  const store = overrides.store ?? openStoreSync(config.store.url);
  const proxy = outboundProxy(config, logger);
  const fetchOptions = { ...config.sp.metadataFetch, proxy };
  const aws = overrides.sts !== undefined && overrides.redshift !== undefined ? undefined : createAwsApis(config.aws, proxy);
  // Exposed metrics only: the process metrics start monitors that live as long as the process.
  // In a cluster worker, render asks the primary for the sum over every worker (cluster-metrics.ts).
  const metrics = shareWithPrimary(
    createMetrics({ processMetrics: config.metrics.port !== undefined || config.metrics.token !== undefined, processLabels: processMetricLabels() }),
  );
  const sts = instrumentSts(overrides.sts ?? (aws as NonNullable<typeof aws>).sts, metrics.awsCall);
  const redshift = instrumentRedshift(overrides.redshift ?? (aws as NonNullable<typeof aws>).redshift, metrics.awsCall);
  let draining = false;

  const fileIdps = resolveIdps(config, overrides.idpMetadata);
  // One Passport per app (several apps in one process never share strategies or sessions).
  const sp = new ServiceProvider(spSettings(config), fileIdps, store, store, now, new passport.Passport());
  const metadata = new MetadataCache({
    fetchOptions,
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
    resolveIdp: (entry, index, metadataXml) => resolveIdpConnection(entry, { ...idpResolveContext(config, index), fetchedMetadataXml: metadataXml }),
    metadata,
    logger,
    onIdpsChanged: (idps) => sp.setConnections(idps),
  });
  const clusters = () => registry.snapshot().clusters;
  const certificates = () => certificateExpiries(registry.snapshot().idps, now());
  const vault = createRoleSessionVault(config.server.sessionSecret);
  const endpoints = new EndpointCache();

  const audit = createAuditTrail(store, logger, now);
  const adminAudit = createAdminAuditor(store, now);
  const hasAnyIdp = () => config.idps.length > 0 || registry.snapshot().records.idps.length > 0;

  const logins = new LoginService({
    signIn: { sp, sts, vault, logger, now, adminGroups: config.admin.groups, sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds },
    dbLogin: { redshift, vault, defaultRegion: config.aws.region, endpoints, now },
    clusters,
    idpEnabled: (idpId) => registry.snapshot().idps.some((i) => i.id === idpId),
    audit,
    metrics,
    logger,
  });
  const signIn = logins.signIn.bind(logins);
  const issue = logins.issue.bind(logins);
  const cli = createCliServices(config, { store, vault, now, logger, idpEnabled: (idpId) => registry.snapshot().idps.some((i) => i.id === idpId) });

  const lastIdp = createLastIdp({ https: config.server.baseUrl.startsWith('https:') });
  const app = createServer({
    baseUrl: config.server.baseUrl,
    trustProxy: config.server.trustProxy,
    sessionSecret: config.server.sessionSecret,
    sessionTtlSeconds: config.server.sessionTtlSeconds,
    sessionLifetime: {
      maxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
      now,
      expired: (user, req, res) => audit.sessionRefused(user, sessionExpiredError(), { ...requestContext(req, res), method: req.method, path: req.path }),
    },
    demo: overrides.demo ?? false,
    logger,
    passport: sp.passport,
    sessions: store,
    rateLimit: config.server.rateLimit,
    observeHttp: metrics.httpRequest,
    rateLimitCounters: store.rateLimits,
    // Console changes made on any instance apply from the next request on.
    beforeRoutes: () => registry.refresh().then(() => undefined),
    // Ready when the store answers: without it there is no sign-in, session or audit line.
    probes: healthRoutes({
      ready: () => store.connectionsVersion().then(() => true, () => false),
      draining: () => draining,
      metrics: config.metrics.token === undefined ? undefined : { token: config.metrics.token, metrics },
    }),
    routers: [
      ...(overrides.extraRouters ?? []),
      ssoRoutes({
        sp,
        passport: sp.passport,
        slo: new SingleLogout(sp),
        signIn,
        loggedOut: (user, ctx) => audit.loggedOut(user, ctx),
        logoutRefused: (idpId, err, user, ctx) => audit.logoutRefused(idpId, err, user, ctx),
        binding: createLoginBinding({ https: config.server.baseUrl.startsWith('https:'), secret: config.server.sessionSecret, ttlSeconds: config.sp.requestTtlSeconds }),
        lastIdp,
      }),
      dbLoginRoutes({ clusters, listIdps: () => sp.listIdps().map((i) => ({ id: i.id, name: i.name })), lastIdp, issue, loginBox: createIssuedLoginBox(config.server.sessionSecret), now }),
      apiRoutes({ baseUrl: config.server.baseUrl, clusters, issue, authenticateToken: (token, ctx) => cli.tokens.authenticate(token, ctx) }),
      cliApiRoutes({ baseUrl: config.server.baseUrl, ...cli, logger, now }),
      cliPageRoutes({ ...cli, now }),
      caBundleRoutes({ clusters }),
      adminRoutes({
        idps: new IdpAdmin({ store, registry, metadata, fetchOptions, audit: adminAudit, now }),
        clusters: new ClusterAdmin({ store, registry, audit: adminAudit, now, production: config.mode === 'production' }),
        clusterTester: new ClusterTester({ redshift, vault, clusters, defaultRegion: config.aws.region, now, logger }),
        defaultRegion: config.aws.region,
        registry,
        audit: store,
        acsUrl: (idpId) => sp.acsUrl(idpId),
        spEntityId: sp.entityId,
        consumeSetupToken: (token) => consumeSetupToken(store, token, hasAnyIdp()),
        https: config.server.baseUrl.startsWith('https:'),
        adminProblem: (user) => adminSessionProblem(user, { idps: registry.snapshot().idps, anyIdpExists: hasAnyIdp() }),
        adminRefused: (user, err, ctx) => audit.sessionRefused(user, err, ctx),
        sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
        certificates,
        now,
      }),
    ],
  });

  const metadataRefresher = setInterval(() => {
    metadata.refresh(registry.metadataUrls()).catch((err: unknown) => logger.error({ err }, 'metadata refresh failed'));
  }, config.sp.metadataFetch.refreshIntervalSeconds * 1000);
  metadataRefresher.unref();

  const sweeper = setInterval(() => {
    store.sweepExpired(now()).catch((err: unknown) => logger.error({ err }, 'sweeping expired rows failed'));
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  const auditPruner = new AuditPruner({
    store,
    retentionDays: config.audit.retentionDays,
    intervalMs: config.audit.pruneIntervalMinutes * 60_000,
    now,
    logger,
    timers: overrides.auditPrune?.timers ?? realTimers,
    batchSize: overrides.auditPrune?.batchSize,
  });
  // Soon after start-up too, so instances restarted more often than the interval still prune.
  auditPruner.start(Math.min(FIRST_PRUNE_DELAY_MS, config.audit.pruneIntervalMinutes * 60_000));
  // IdP signing certificates close to their end: a gauge read at each scrape, and a daily log line.
  metrics.watchCertificates(() => certificates().map((c) => ({ idp: c.idpId, fingerprint: c.fingerprint, days: c.days })));
  const expiryLog = startCertificateExpiryLog({
    idps: () => registry.refresh().then((snapshot) => snapshot.idps),
    now,
    logger,
    timers: overrides.certificateExpiryTimers,
  });

  return {
    app,
    registry,
    metadata,
    issueSetupToken: async () => issueSetupTokenOnce(store, hasAnyIdp()),
    withdrawSetupToken: (token) => withdrawSetupToken(store, token),
    sp,
    store,
    logger,
    metrics,
    auditPruner,
    startDraining: () => {
      draining = true;
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(metadataRefresher);
      // A prune in progress ends after its current batch, before the store closes under it.
      await auditPruner.stop();
      expiryLog.stop();
      metadata.close();
      aws?.close();
      await store.close();
    },
  };
}

/** The CLI's sign-in and tokens: one token service behind both grants, all audited. */
function createCliServices(
  config: Config,
  deps: { store: Store; vault: ReturnType<typeof createRoleSessionVault>; now: () => Date; logger: Logger; idpEnabled: (idpId: string) => boolean },
) {
  const audit = createCliAudit(deps.store, deps.logger, deps.now);
  const tokens = new CliTokens({ store: deps.store, vault: deps.vault, idpEnabled: deps.idpEnabled, audit, now: deps.now });
  const codes = new CodeGrant({ grants: deps.store, tokens, audit, now: deps.now, codeTtlSeconds: config.cli.codeTtlSeconds });
  const devices = new DeviceGrant({ grants: deps.store, tokens, audit, now: deps.now, deviceCodeTtlSeconds: config.cli.deviceCodeTtlSeconds, pollIntervalSeconds: config.cli.pollIntervalSeconds });
  return { tokens, codes, devices };
}

// `trust proxy: true` believes the leftmost X-Forwarded-For, which any client writes: it would
// choose its own rate-limit key and the IP in the audit trail. Legal, so loud rather than refused.
function warnAboutTrustProxy(config: Config, logger: Logger): void {
  if (config.mode !== 'production' || config.server.trustProxy !== true) return;
  logger.warn(
    { trustProxy: true },
    'server.trustProxy is true: every client can forge X-Forwarded-For and pick its own rate-limit key and audited IP; set it to the hop count or the addresses of your proxies',
  );
}

/** The outbound proxy settings, logged once (without the proxy's user and password) when one is set. */
export function outboundProxy(config: Config, logger?: Logger): OutboundProxy {
  const proxy = new OutboundProxy(config.outboundProxy);
  if (proxy.enabled) logger?.info(proxy.describe(), 'outbound proxy');
  if (proxy.ignoredEntries.length > 0) logger?.warn({ ignoredNoProxy: proxy.ignoredEntries }, 'NO_PROXY entries not understood; they match nothing');
  return proxy;
}

/** The store named by store.url. Opened before createApp: PostgreSQL needs to connect first. PostgreSQL always shares its rate-limit counters; SQLite when asked (several workers on the file). */
export async function openStore(url: string, logger: Logger, options: SqliteStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqliteStore(url, options);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgresStore(url, { logger });
  throw new ConfigError(['store.url: expected sqlite:PATH or postgres://…']);
}

function openStoreSync(url: string): Store {
  if (url.startsWith('sqlite:')) return openSqliteStore(url);
  throw new ConfigError(['store.url: a PostgreSQL store must be opened with openStore() and passed in']);
}

export function spSettings(config: Config): SpSettings {
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const baseUrl = config.server.baseUrl.replace(/\/+$/, '');
  const entityId = config.sp.entityId ?? `${baseUrl}/saml/metadata`;
  const pair = (key: string | undefined, cert: string | undefined, what: 'signing' | 'decryption') =>
    key === undefined || cert === undefined
      ? undefined
      : { privateKey: loadPem(key, readFile, `sp.${what}Key`, 'key'), certificate: loadPem(cert, readFile, `sp.${what}Cert`) };
  return {
    entityId,
    baseUrl,
    audiences: config.sp.audiences ?? [...DEFAULT_AUDIENCES, entityId],
    signing: pair(config.sp.signingKey, config.sp.signingCert, 'signing'),
    decryption: pair(config.sp.decryptionKey, config.sp.decryptionCert, 'decryption'),
    requestTtlSeconds: config.sp.requestTtlSeconds,
  };
}

function idpResolveContext(config: Config, index: number) {
  return {
    index,
    defaultClockSkewSeconds: config.sp.clockSkewSeconds,
    defaultMaxResponseAgeSeconds: config.sp.maxResponseAgeSeconds,
    defaultMaxAuthnAgeSeconds: config.sp.maxAuthnAgeSeconds,
    adminGroupsAttribute: config.admin.groupsAttribute,
  };
}

function resolveIdps(config: Config, fetched: ReadonlyMap<string, string> = new Map()) {
  const problems: string[] = [];
  const idps = config.idps.flatMap((entry, index) => {
    try {
      return entry.enabled ? [resolveIdpConnection(entry, { ...idpResolveContext(config, index), fetchedMetadataXml: fetched.get(entry.id) })] : [];
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
      return [];
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return idps;
}
