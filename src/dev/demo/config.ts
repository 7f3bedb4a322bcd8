// Demo mode's configuration: the built-in IdP, one provisioned cluster and one serverless
// workgroup on the demo PostgreSQL, AWS at the emulator, and a store of its own. Validated by
// the same buildConfig as any configuration; starting the stand-ins is demo.ts's job.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import type { DemoSettings } from '../../config/start-mode.ts';

export const DEMO_IDP_ID = 'demo';
export const DEMO_PRINCIPAL_ARN = 'arn:aws:iam::123456789012:saml-provider/RedshiftSsoDemo';
export const DEMO_ANALYST_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const DEMO_ADMIN_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAdmin';

export interface DemoConfigInput {
  settings: DemoSettings;
  /** Only DEMO_* and REDSHIFT_SSO_LOG_LEVEL are read. */
  env: Record<string, string | undefined>;
  idpCertificate: string;
  emulatorUrl: string;
  /** The private PostgreSQL runs (only it can speak TLS, with DEMO_PG_TLS_DIR). */
  privatePostgres: boolean;
}

/** Validates the demo configuration; on a refusal runs `cleanUp` first, so no stand-in outlives the exit. */
export async function buildDemoConfig(input: DemoConfigInput, cleanUp: () => Promise<void>): Promise<Config> {
  try {
    // Nothing else from the environment: start-mode.ts refused every other setting already.
    return buildConfig(demoConfigInput(input), { REDSHIFT_SSO_LOG_LEVEL: input.env.REDSHIFT_SSO_LOG_LEVEL });
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

function demoConfigInput({ settings, env, idpCertificate, emulatorUrl, privatePostgres }: DemoConfigInput) {
  const { port, baseUrl, host } = settings;
  return {
    mode: 'development',
    // A TLS proxy in front of the demo (to try https) can only be on this host.
    server: { baseUrl, port, host, trustProxy: 'loopback', sessionSecret: randomBytes(32).toString('hex') },
    idps: [
      {
        id: DEMO_IDP_ID,
        name: 'Demo IdP (built in)',
        entityId: `${baseUrl}/dev/idp/metadata`,
        ssoUrl: `${baseUrl}/dev/idp/sso`,
        certs: [idpCertificate],
        allowIdpInitiated: true,
      },
    ],
    clusters: demoClusters(env, privatePostgres),
    aws: { endpoint: emulatorUrl, region: 'us-east-1' },
    // Always its own file: the demo's admin (bob) must never write into a real service's store.
    store: { url: `sqlite:${join(settings.dataDir, 'demo.db')}` },
    admin: { groups: ['admins'] },
  };
}

function demoClusters(env: Record<string, string | undefined>, privatePostgres: boolean) {
  const durationSeconds = Number(env.DEMO_DB_DURATION_SECONDS ?? 900);
  // With DEMO_PG_TLS_DIR the private PostgreSQL speaks TLS and the clusters ask for verify-full.
  const tls =
    privatePostgres && env.DEMO_PG_TLS_DIR !== undefined
      ? { sslMode: 'verify-full' as const, caBundle: join(env.DEMO_PG_TLS_DIR, 'ca.crt') }
      : { sslMode: 'disable' as const };
  return [
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
  ];
}
