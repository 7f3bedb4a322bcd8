// Demo mode: `npm start` with no configuration at all (config/start-mode.ts decides). Starts the
// stand-ins (the built-in IdP keys in certs/dev, the AWS emulator, a private PostgreSQL that
// really checks the issued passwords) and returns a development configuration pointing at them
// (demo/config.ts; the database is chosen in demo/database.ts). Never used in production.
import { Router } from 'express';
import type { Logger } from '../logger.ts';
import type { Config } from '../config/schema.ts';
import type { DemoSettings } from '../config/start-mode.ts';
import { ensureKeyPair } from './dev-keys.ts';
import { createDemoIdpRouter, DEMO_USERS } from './demo-idp.ts';
import { startAwsEmulator, type AwsEmulator } from './aws-emulator.ts';
import { buildDemoConfig, DEMO_IDP_ID, DEMO_PRINCIPAL_ARN } from './demo/config.ts';
import { demoDatabase, type DemoDatabase } from './demo/database.ts';
import type { SigningKey } from './saml-response.ts';

export { DEMO_ADMIN_ROLE, DEMO_ANALYST_ROLE, DEMO_IDP_ID, DEMO_PRINCIPAL_ARN } from './demo/config.ts';

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
  const certsDir = options.certsDir ?? 'certs/dev';
  const idpKey = await ensureKeyPair(certsDir, 'idp', { commonName: 'redshift-sso demo IdP' });
  logger.warn(
    { certsDir },
    'DEMO MODE: development-only IdP keys, AWS emulator and test users; never use this in production',
  );

  const { database, privatePg } = await demoDatabase(env, logger);
  const emulator = await startDemoEmulator(idpKey.certificate, database, env, logger);
  const close = async () => {
    await emulator.close();
    await privatePg?.stop();
  };
  const config = await buildDemoConfig(
    {
      settings,
      env,
      idpCertificate: idpKey.certificate,
      emulatorUrl: emulator.url,
      privatePostgres: privatePg !== undefined,
    },
    // A refused configuration must not leave the private PostgreSQL running after the exit.
    close,
  );

  return {
    config,
    routers: [demoIdpRoutes(settings.baseUrl, idpKey)],
    emulator,
    postgres:
      database === undefined
        ? undefined
        : { ...database, checksPasswords: privatePg !== undefined || env.DEMO_PG_URL !== undefined },
    close,
  };
}

/** The emulator trusts the demo IdP and knows one cluster and one workgroup, both on the demo database. */
function startDemoEmulator(
  idpCertificate: string,
  database: DemoDatabase['database'],
  env: Env,
  logger: Logger,
): Promise<AwsEmulator> {
  return startAwsEmulator({
    samlProviders: [{ arn: DEMO_PRINCIPAL_ARN, certs: [idpCertificate] }],
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
}

/** The built-in IdP at /dev/idp, posting only to this service's ACS URL. */
function demoIdpRoutes(baseUrl: string, idpKey: SigningKey): Router {
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
  return router;
}
