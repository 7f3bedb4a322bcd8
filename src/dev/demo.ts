// Demo mode: `npm start` with no configuration at all (config/start-mode.ts decides). Starts the
// stand-ins (the built-in IdP keys in certs/dev, the AWS emulator, a private PostgreSQL that
// really checks the issued passwords) and returns a development configuration pointing at them.
// Never used in production.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Router } from 'express';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { buildConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { DemoSettings } from '../config/start-mode.ts';
import { ensureKeyPair } from './dev-keys.ts';
import { createDemoIdpRouter, DEMO_USERS } from './demo-idp.ts';
import { startAwsEmulator, type AwsEmulator } from './aws-emulator.ts';
import { findPostgresBinaries, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

export const DEMO_IDP_ID = 'demo';
export const DEMO_PRINCIPAL_ARN = 'arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo';
export const DEMO_ANALYST_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const DEMO_ADMIN_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAdmin';
const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

type Env = Record<string, string | undefined>;

export interface Demo {
  config: Config;
  routers: Router[];
  emulator: AwsEmulator;
  postgres: { url: string; host: string; port: number; checksPasswords: boolean } | undefined;
  close(): Promise<void>;
}

/** Starts demo mode where `settings` (decided by config/start-mode.ts) say; `env` supplies only DEMO_* and NODE_ENV. */
export async function startDemo(
  settings: DemoSettings,
  env: Env,
  logger: Logger,
  options: { certsDir?: string } = {},
): Promise<Demo> {
  if (env.NODE_ENV === 'production')
    throw new Error('demo mode is refused when NODE_ENV=production: set REDSHIFT_SSO_CONFIG');
  const { port, baseUrl, host } = settings;
  const idpKey = await ensureKeyPair(options.certsDir ?? 'certs/dev', 'idp', { commonName: 'redshift-sso demo IdP' });
  logger.warn(
    { certsDir: options.certsDir ?? 'certs/dev' },
    'DEMO MODE: development-only IdP keys, AWS emulator and test users; never use this in production',
  );

  const { database, privatePg } = await demoDatabase(env, logger);
  const emulator = await startAwsEmulator({
    samlProviders: [{ arn: DEMO_PRINCIPAL_ARN, certs: [idpKey.certificate] }],
    clusters: [
      { clusterIdentifier: 'demo-cluster', host: database?.host ?? '127.0.0.1', port: database?.port ?? 5432 },
    ],
    workgroups: [
      { workgroupName: 'demo-serverless', host: database?.host ?? '127.0.0.1', port: database?.port ?? 5432 },
    ],
    postgresAdminUrl: database?.url,
    minDbDurationSeconds: env.DEMO_DB_DURATION_SECONDS === undefined ? undefined : 1,
    logger,
  });

  const durationSeconds = Number(env.DEMO_DB_DURATION_SECONDS ?? 900);
  // With DEMO_PG_TLS_DIR the private PostgreSQL speaks TLS and the clusters ask for verify-full.
  const tls =
    privatePg !== undefined && env.DEMO_PG_TLS_DIR !== undefined
      ? { sslMode: 'verify-full' as const, caBundle: join(env.DEMO_PG_TLS_DIR, 'ca.crt') }
      : { sslMode: 'disable' as const };
  const config = await demoConfig(
    {
      mode: 'development',
      // A TLS proxy in front of the demo (to try https) can only be on this host.
      server: { baseUrl, port, host, trustProxy: 'loopback', sessionSecret: randomBytes(32).toString('hex') },
      idps: [
        {
          id: DEMO_IDP_ID,
          name: 'Demo IdP (built in)',
          entityId: `${baseUrl}/dev/idp/metadata`,
          ssoUrl: `${baseUrl}/dev/idp/sso`,
          certs: [idpKey.certificate],
          allowIdpInitiated: true,
        },
      ],
      clusters: [
        {
          id: 'demo',
          name: 'Demo cluster (local PostgreSQL)',
          clusterIdentifier: 'demo-cluster',
          database: 'postgres',
          ...tls,
          durationSeconds,
          roles: [DEMO_ANALYST_ROLE, DEMO_ADMIN_ROLE],
        },
        {
          id: 'demo-serverless',
          name: 'Demo serverless workgroup',
          type: 'serverless',
          workgroup: 'demo-serverless',
          database: 'postgres',
          ...tls,
          durationSeconds,
          roles: [DEMO_ADMIN_ROLE],
        },
      ],
      aws: { endpoint: emulator.url, region: 'us-east-1' },
      // Always its own file: the demo's admin (bob) must never write into a real service's store.
      store: { url: `sqlite:${join(settings.dataDir, 'demo.db')}` },
      admin: { groups: ['admins'] },
    },
    // Nothing else from the environment: start-mode.ts refused every other setting already.
    { REDSHIFT_SSO_LOG_LEVEL: env.REDSHIFT_SSO_LOG_LEVEL },
    // A refused configuration must not leave the private PostgreSQL running after the exit.
    async () => {
      await emulator.close();
      await privatePg?.stop();
    },
  );

  const acsUrl = `${baseUrl}/saml/acs/${DEMO_IDP_ID}`;
  const spEntityId = `${baseUrl}/saml/metadata`;
  const idpRouter = createDemoIdpRouter({
    entityId: `${baseUrl}/dev/idp/metadata`,
    ssoUrl: `${baseUrl}/dev/idp/sso`,
    key: idpKey,
    users: DEMO_USERS,
    audiences: ['urn:amazon:webservices'],
    acsUrl: (issuer) => {
      if (issuer !== spEntityId) throw new Error(`unknown service provider ${issuer}`);
      return acsUrl;
    },
    defaultAcsUrl: acsUrl,
    idpInitiatedAcsUrl: acsUrl,
  });
  const router = Router();
  router.use('/dev/idp', idpRouter);

  return {
    config,
    routers: [router],
    emulator,
    postgres:
      database === undefined
        ? undefined
        : { ...database, checksPasswords: privatePg !== undefined || env.DEMO_PG_URL !== undefined },
    async close() {
      await emulator.close();
      await privatePg?.stop();
    },
  };
}

async function demoConfig(
  input: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cleanUp: () => Promise<void>,
): Promise<Config> {
  try {
    return buildConfig(input, env);
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

/** A private PostgreSQL when the server binaries exist (it checks passwords), else DEMO_PG_URL or the machine's. */
async function demoDatabase(
  env: Env,
  logger: Logger,
): Promise<{ database?: { url: string; host: string; port: number }; privatePg?: PrivatePostgres }> {
  if (env.DEMO_PG_URL === undefined && findPostgresBinaries() !== null) {
    try {
      const tlsDir = env.DEMO_PG_TLS_DIR;
      const tls =
        tlsDir === undefined
          ? undefined
          : { certFile: join(tlsDir, 'server.crt'), keyFile: join(tlsDir, 'server.key') };
      const privatePg = await startPrivatePostgres({ logger, ...(tls === undefined ? {} : { tls }) });
      logger.info(
        { host: privatePg.host, port: privatePg.port },
        'demo: private PostgreSQL started; issued passwords are really checked',
      );
      return { database: { url: privatePg.url, host: privatePg.host, port: privatePg.port }, privatePg };
    } catch (err) {
      logger.warn(
        { err: (err as Error).message },
        'demo: could not start a private PostgreSQL; trying the machine one',
      );
    }
  }
  const url = env.DEMO_PG_URL ?? MACHINE_POSTGRES;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
  } catch {
    logger.warn('demo: no PostgreSQL reachable; credentials are issued but log in nowhere');
    return {};
  }
  const parsed = new URL(url);
  logger.warn(
    { host: parsed.hostname, port: parsed.port },
    'demo: using an existing PostgreSQL; it may not check passwords (trust auth)',
  );
  return { database: { url, host: parsed.hostname, port: Number(parsed.port || 5432) } };
}
