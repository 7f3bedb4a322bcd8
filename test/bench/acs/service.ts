// The service under test in the in-process part: the production app from `createApp` on a SQLite
// file, with an instant fake STS, listening on loopback. Also the dependencies `signInWithSaml` gets
// from app.ts, for the in-process side. What runs against it lives in sides.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Router } from 'express';
import { pino } from 'pino';
import { buildConfig } from '../../../src/config/load.ts';
import type { Config } from '../../../src/config/schema.ts';
import { createApp, type App } from '../../../src/app.ts';
import { createLogger, type Logger } from '../../../src/logger.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import type { Store } from '../../../src/store/ports.ts';
import type { RedshiftApi, RoleSession, StsApi } from '../../../src/aws/ports.ts';
import type { SignInDeps } from '../../../src/sign-in/sign-in.ts';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import { roleMayUseAnyCluster } from '../../../src/credentials/cluster-access.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../../support/sign-response.ts';
import { testSessionSecret } from '../../support/test-secret.ts';
import { args, LOG_LEVEL } from './args.ts';

export const IDP = 'bench';
export const BASE_URL = 'https://sso.bench.example';
const SESSION_SECRET = testSessionSecret();
export const ROLE_SESSION: RoleSession = {
  accessKeyId: 'ASIABENCHBENCHBENCH0',
  secretAccessKey: 'x'.repeat(40),
  // Real STS session tokens run to several hundred characters; the size shows in the session row.
  sessionToken: 'F'.repeat(700),
  expiration: new Date(Date.now() + 3600_000),
  assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/RedshiftAnalyst/alice',
};

/** STS answers at once with a fixed session: the benchmark measures this service, not AWS. */
const instantSts: StsApi = {
  async assumeRoleWithSaml() {
    return { value: ROLE_SESSION, requestId: 'bench-request' };
  },
};

/** Redshift is not reached by a sign-in: every method refuses (a Proxy, so new methods need no stub). */
const unusedRedshift = new Proxy(
  {},
  { get: () => () => Promise.reject(new Error('Redshift is not used by the benchmark')) },
) as RedshiftApi;

function benchConfig(dbPath: string): Config {
  return buildConfig({
    mode: 'production',
    log: { level: LOG_LEVEL },
    // Behind a TLS-terminating proxy on loopback, as in production: Secure __Host- cookie, HSTS.
    // Every request comes from 127.0.0.1, so the per-client sign-in and ACS rate limits are raised
    // out of reach (the limiters still run on every request).
    server: {
      baseUrl: BASE_URL,
      sessionSecret: SESSION_SECRET,
      trustProxy: 'loopback',
      rateLimit: { login: 1_000_000_000, acs: 1_000_000_000 },
      // This part compares the service with bare node-saml on one thread, so node-saml runs on the
      // event loop here; the every-core part (cores.ts) measures the validation threads.
      validationThreads: 0,
    },
    idps: [
      {
        id: IDP,
        entityId: TEST_IDP_ISSUER,
        ssoUrl: 'https://idp.test.example/sso',
        certs: [fixtureKeys.idp.certificate],
      },
    ],
    clusters: [{ id: 'analytics', clusterIdentifier: 'bench-cluster', region: 'us-east-1', roles: [TEST_ROLE_ARN] }],
    store: { url: `sqlite:${dbPath}` },
  });
}

/** A SQLite store in a file. Unless --fresh-db, the file is created and closed first, so the store
 * opens an existing WAL database, as after any restart (this changes `synchronous`, see README). */
async function openStore(dbPath: string): Promise<Store> {
  if (!args['fresh-db']) await openSqliteStore(`sqlite:${dbPath}`).close();
  return openSqliteStore(`sqlite:${dbPath}`);
}

/** The `synchronous` level better-sqlite3 gives a WAL database here: on a new file, and reopened.
 * The store does not expose its connection, so the rule is shown on a scratch file. */
export function sqliteSynchronousRule(dir: string): { fresh: number; reopened: number } {
  const path = join(dir, 'probe.db');
  const level = (db: Database.Database): number => Number(db.pragma('synchronous', { simple: true }));
  let db = new Database(path);
  db.pragma('journal_mode = WAL');
  const fresh = level(db);
  db.close();
  db = new Database(path);
  db.pragma('journal_mode = WAL');
  const reopened = level(db);
  db.close();
  return { fresh, reopened };
}

export interface Service {
  app: App;
  logger: Logger;
  config: Config;
  deps: SignInDeps;
  port: number;
  server: http.Server;
}

interface ServiceOptions {
  wrapStore?: (store: Store) => Store;
  extraRouters?: Router[];
}

export async function startService(dir: string, name: string, options: ServiceOptions = {}): Promise<Service> {
  const dbPath = join(dir, `${name}.db`);
  const config = benchConfig(dbPath);
  // Logs at the configured level into /dev/null: the formatting cost stays, the terminal is spared.
  const logger = createLogger(config.log, pino.destination({ dest: '/dev/null', sync: true }));
  const store = await openStore(dbPath);
  const app = createApp(config, {
    logger,
    store: options.wrapStore?.(store) ?? store,
    sts: instantSts,
    redshift: unusedRedshift,
    extraRouters: options.extraRouters,
  });
  // The same dependencies app.ts hands signInWithSaml, for the in-process variant.
  const deps: SignInDeps = {
    sp: app.sp,
    sts: instantSts,
    vault: createRoleSessionVault(config.server.sessionSecret),
    logger,
    now: () => new Date(),
    adminGroups: config.admin.groups,
    sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
    mayUseAnyCluster: (roleArn) => roleMayUseAnyCluster(config.clusters, roleArn),
  };
  const server = http.createServer({ keepAlive: true }, app.app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { app, logger, config, deps, port: (server.address() as AddressInfo).port, server };
}

export async function stopService(service: Service): Promise<void> {
  service.server.closeAllConnections();
  await new Promise<void>((resolve) => service.server.close(() => resolve()));
  await service.app.close();
}
