// The one in-process service for integration and security tests: the real app (real SAML
// validation, real AWS SDK) listening on a loopback port, the AWS emulator behind `aws.endpoint`,
// cookie-jar clients and every log line the app writes. Each test builds its own harness: its own
// app, store and emulator. Options pick the store, clock, emulator, configuration and, with
// `admin: true`, the admin console's setup (admin group, no IdP or cluster unless given).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'node:test';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { startApp } from '../../src/start-app.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Store } from '../../src/store/ports.ts';
import type { RedshiftApi, StsApi } from '../../src/aws/ports.ts';
import type { MetadataTimers } from '../../src/connections/metadata-retry.ts';
import { createLogger } from '../../src/logger.ts';
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../src/dev/aws-emulator.ts';
import { ADMIN_GROUP } from './admin-forms.ts';
import { CookieClient, type CookieClientOptions } from './cookie-client.ts';
import { harnessFlows, type HarnessFlows } from './harness-flows.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

export const TEST_IDP_ID = 'test';
export const TEST_CLUSTER_ID = 'analytics';
export const TEST_CLUSTER_IDENTIFIER = 'analytics-cluster';
export const TEST_CLUSTER_HOST = 'analytics-cluster.abc123xyz.us-east-1.redshift.amazonaws.com';
export const TEST_CLUSTER_PORT = 5439;
export const TEST_SSO_URL = 'https://idp.test.example/sso';
export const SESSION_COOKIE = 'redshift-sso';
/** A second role in the fixture account, trusted by the same SAML provider. */
export const SECOND_ROLE_ARN = 'arn:aws:iam::123456789012:role/RedshiftEngineer';
/** A role no cluster lists. */
export const UNLISTED_ROLE_ARN = 'arn:aws:iam::123456789012:role/Marketing';

const SESSION_SECRET = testSessionSecret();
/** Harnesses started and not yet closed (harnessForEachTest closes those a test left open). */
const running = new Set<AppHarness>();
const HIGH_LIMITS = { login: 100_000, acs: 100_000, api: 100_000 };

export interface AppHarnessOptions {
  /** The admin console's setup: `admin.groups: [admins]`, no IdP and no cluster unless given, rate
   *  limits raised, a 2 s metadata fetch timeout, and the emulator trusting both fixture IdP keys. */
  admin?: boolean;
  /** Merged over the `test` IdP entry (allowIdpInitiated, maxSessionDurationSeconds, ...). */
  idp?: Record<string, unknown>;
  /** Replaces the IdP list (default: the `test` IdP; with `admin`, none). */
  idps?: Array<Record<string, unknown>>;
  /** Replaces the default clusters (`analytics`, for TEST_ROLE_ARN only; with `admin`, none). */
  clusters?: Array<Record<string, unknown>>;
  /** Merged over the emulator's options (SAML providers, clusters, ...). */
  emulator?: Partial<AwsEmulatorOptions>;
  /** An emulator shared with another harness (not closed by close()); default a new one. */
  sharedEmulator?: AwsEmulator;
  /** The app's clock (the emulator and the IdP keep real time). */
  now?: () => Date;
  /** Merged over `server.rateLimit`. */
  rateLimit?: Record<string, unknown>;
  /** Merged over the `server` section (sessionMaxLifetimeSeconds, sessionTtlSeconds, ...). */
  server?: Record<string, unknown>;
  /** Merged over the `sp` section (maxResponseAgeSeconds, decryptionKey, ...). */
  sp?: Record<string, unknown>;
  /** Merged over `sp.metadataFetch`. */
  metadataFetch?: Record<string, unknown>;
  /** Further configuration sections (metrics, audit, store, ...), merged over the harness's own. */
  config?: Record<string, unknown>;
  /** The public base URL in config (ACS URLs derive from it); default the loopback URL. */
  publicBaseUrl?: string;
  /** A store the test opened (PostgreSQL); default a fresh SQLite database in memory. Closed by close(). */
  store?: Store;
  /** The audit pruning job's timers and batch size (default real timers: the first run a minute in). */
  auditPrune?: AppOverrides['auditPrune'];
  /** Start as main.ts does (startApp): the configuration's metadata URLs first, a stored copy standing
   *  in for one that is down; default createApp and the registry only. */
  asService?: boolean;
  /** Timers of the metadata retries after a failed fetch (fakeTimers() fires them by hand). */
  metadataRetry?: AppOverrides['metadataRetry'];
  /** Timers of the daily certificate expiry warning (fakeTimers() fires them by hand). */
  certificateExpiryTimers?: MetadataTimers;
  /** The app's log level (default debug); `logs` holds what it writes. */
  logLevel?: 'debug' | 'info' | 'warn';
  /** The server's keep-alive timeout (default Node's). */
  keepAliveTimeoutMs?: number;
  /** Options for every client the harness makes (default headers, a request timeout). */
  clientOptions?: CookieClientOptions;
}

export interface AppHarness extends HarnessFlows {
  /** Where the app listens. */
  baseUrl: string;
  /** The `test` IdP's ACS URL (public base URL). */
  acsUrl: string;
  config: Config;
  service: App;
  emulator: AwsEmulator;
  /** Every line the app logged, in order (JSON text). */
  logs: string[];
  client: CookieClient;
  /** A fresh cookie-less client on the same server. */
  newClient(): CookieClient;
  close(): Promise<void>;
}

/** The `test` IdP's configuration entry, with overrides. */
export function testIdpEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: TEST_IDP_ID,
    name: 'Test IdP',
    entityId: TEST_IDP_ISSUER,
    ssoUrl: TEST_SSO_URL,
    certs: [fixtureKeys.idp.certificate],
    ...overrides,
  };
}

export async function startAppHarness(options: AppHarnessOptions = {}): Promise<AppHarness> {
  const emulator = options.sharedEmulator ?? (await startAwsEmulator(emulatorOptions(options)));
  const server: Server = createServer(
    options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeout: options.keepAliveTimeoutMs },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicBaseUrl = options.publicBaseUrl ?? baseUrl;
  const config = buildConfig(configInput(options, publicBaseUrl, emulator.url), {});

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      done();
    },
  });
  const overrides: AppOverrides = {
    logger: createLogger({ level: options.logLevel ?? 'debug' }, sink),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.auditPrune === undefined ? {} : { auditPrune: options.auditPrune }),
    ...(options.metadataRetry === undefined ? {} : { metadataRetry: options.metadataRetry }),
    ...(options.certificateExpiryTimers === undefined
      ? {}
      : { certificateExpiryTimers: options.certificateExpiryTimers }),
  };
  const service = await startService(config, overrides, options.asService === true).catch(async (err: unknown) => {
    server.close();
    if (options.sharedEmulator === undefined) await emulator.close();
    throw err;
  });
  server.on('request', service.app);

  const newClient = () => new CookieClient(baseUrl, options.clientOptions);
  const client = newClient();
  const flows = harnessFlows({ publicBaseUrl, sessionSecret: SESSION_SECRET, service, emulator, client, newClient });
  const harness: AppHarness = {
    ...flows,
    baseUrl,
    acsUrl: flows.acsUrlOf(TEST_IDP_ID),
    config,
    service,
    emulator,
    logs,
    client,
    newClient,
    async close() {
      running.delete(harness);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      if (options.sharedEmulator === undefined) await emulator.close();
    },
  };
  running.add(harness);
  return harness;
}

/** The app with its registry and timers started, closed again if that fails. */
async function startService(config: Config, overrides: AppOverrides, asService: boolean): Promise<App> {
  const service = asService
    ? await startApp(config, { ...overrides, store: overrides.store ?? openSqliteStore(config.store.url) })
    : createApp(config, overrides);
  try {
    if (!asService) await service.registry.start();
    // The timers run as in the service (main.ts starts them); tests pass fake ones to drive them.
    service.jobs.start();
  } catch (err) {
    await service.close();
    throw err;
  }
  return service;
}

function emulatorOptions(options: AppHarnessOptions): AwsEmulatorOptions {
  const certs = [fixtureKeys.idp.certificate, ...(options.admin === true ? [fixtureKeys.idpNext.certificate] : [])];
  return {
    samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs }],
    clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
    ...options.emulator,
  };
}

function configInput(options: AppHarnessOptions, baseUrl: string, awsEndpoint: string): Record<string, unknown> {
  const admin = options.admin === true;
  const rateLimit = admin ? { ...HIGH_LIMITS, ...options.rateLimit } : options.rateLimit;
  const metadataFetch = admin ? { timeoutMs: 2000, ...options.metadataFetch } : options.metadataFetch;
  const sp = { ...(metadataFetch === undefined ? {} : { metadataFetch }), ...options.sp };
  const defaultClusters = admin
    ? []
    : [{ id: TEST_CLUSTER_ID, name: 'Analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }];
  return {
    mode: 'development',
    log: { level: options.logLevel ?? 'debug' },
    server: {
      baseUrl,
      sessionSecret: SESSION_SECRET,
      ...(rateLimit === undefined ? {} : { rateLimit }),
      ...options.server,
    },
    ...(Object.keys(sp).length === 0 ? {} : { sp }),
    idps: options.idps ?? (admin ? [] : [testIdpEntry(options.idp)]),
    clusters: options.clusters ?? defaultClusters,
    aws: { endpoint: awsEndpoint, region: 'us-east-1', maxAttempts: 1, timeoutMs: 5000 },
    store: { url: 'sqlite::memory:' },
    ...(admin ? { admin: { groups: [ADMIN_GROUP] } } : {}),
    ...options.config,
  };
}

export interface BareAppOptions {
  baseUrl: string;
  /** The configuration's mode (default the schema's, production). */
  mode?: 'production' | 'development';
  /** Merged over the `server` section (trustProxy, rateLimit, ...). */
  server?: Record<string, unknown>;
  sp?: Record<string, unknown>;
  /** Merged over the `corp` IdP entry (the fixture IdP key). */
  idp?: Record<string, unknown>;
  /** Replaces the IdP list. */
  idps?: unknown[];
}

/** The app without a server or an emulator, for supertest: the `corp` IdP, cluster `c1`, SQLite in
 *  memory, silent logs; AWS is whatever fakes `overrides` gives (by default none is expected to be used). */
export function buildBareApp(options: BareAppOptions, overrides: AppOverrides = {}): App {
  const config = buildConfig({
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    server: { baseUrl: options.baseUrl, sessionSecret: testSessionSecret(), ...options.server },
    ...(options.sp === undefined ? {} : { sp: options.sp }),
    idps: options.idps ?? [
      {
        id: 'corp',
        entityId: TEST_IDP_ISSUER,
        ssoUrl: 'https://idp.example.com/sso',
        certs: [fixtureKeys.idp.certificate],
        ...options.idp,
      },
    ],
    clusters: [{ id: 'c1', clusterIdentifier: 'c1', roles: [TEST_ROLE_ARN] }],
    store: { url: 'sqlite::memory:' },
  });
  return createApp(config, {
    logger: createLogger({ level: 'silent' }),
    sts: {} as StsApi,
    redshift: {} as RedshiftApi,
    ...overrides,
  });
}

/** Starts a harness before each test of the calling describe (`start` also keeps it for the tests)
 *  and closes it after, with any other the test started and left open (one that replaced it):
 *  `let h: AppHarness; harnessForEachTest(async () => (h = await startAppHarness()));` */
export function harnessForEachTest(start: () => Promise<AppHarness>): void {
  let before = new Set<AppHarness>();
  beforeEach(async () => {
    before = new Set(running);
    await start();
  });
  afterEach(async () => {
    for (const h of [...running].filter((r) => !before.has(r))) await h.close();
  });
}

/** The Role attribute value for a role trusted through the test SAML provider. */
export function rolePair(roleArn: string): string {
  return `${roleArn},${TEST_PRINCIPAL_ARN}`;
}
