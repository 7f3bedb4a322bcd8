// What the SimpleSAMLphp feature tests share: the keys and algorithms they name, and one suite set-up
// (the Debian tools, a private PostgreSQL, Chromium, and the AWS emulator trusting every key a
// SimpleSAMLphp here may sign with) that deploys SimpleSAMLphp and the service per describe block.
import { before, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../../src/dev/private-postgres.ts';
import { launchChromium, type LaunchedChromium } from './browser-chromium.ts';
import { fixtureKeys } from './sign-response.ts';
import { deploySspAndService, type SspDeployment, type SspDeploymentOptions } from './ssp-flow.ts';
import { SSP_ADMIN_ROLE, SSP_ANALYST_ROLE, SSP_PROVIDER_ARN, type SspKeyPair } from './ssp-idp.ts';
import { ensureSimpleSamlPhpTools } from './ssp-install.ts';

/** One entity ID for every SimpleSAMLphp instance here, so one IAM SAML provider in the emulator fits all. */
export const SSP_ENTITY_ID = 'https://simplesamlphp.test.example/idp';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const keyPair = (key: { privateKey: string; certificate: string }): SspKeyPair => ({
  privateKeyPem: key.privateKey,
  certificatePem: key.certificate,
});
export const IDP_KEY = keyPair(fixtureKeys.idp);
export const IDP_NEXT_KEY = keyPair(fixtureKeys.idpNext);
const certPath = (name: string): string => fileURLToPath(new URL(`../fixtures/certs/${name}`, import.meta.url));
/** The service's own pair: signs AuthnRequests and logout messages, decrypts assertions. */
export const SP_KEYS = {
  signingKey: certPath('sp.key'),
  signingCert: certPath('sp.crt'),
  decryptionKey: certPath('sp.key'),
  decryptionCert: certPath('sp.crt'),
};

/** Everything on: two IdP signing keys, signed AuthnRequests and logout both ways, encryption, IdP-initiated. */
export const EVERYTHING_ON: Pick<SspDeploymentOptions, 'ssp' | 'sp' | 'idps'> = {
  ssp: {
    nextSigningKey: IDP_NEXT_KEY,
    spCertificatePem: fixtureKeys.sp.certificate,
    validateAuthnRequest: true,
    encryptAssertion: true,
    singleLogout: true,
    signLogout: true,
    validateLogout: true,
  },
  sp: SP_KEYS,
  // wantLogoutSigned is left to its default (true): the SLO tests prove the default.
  idps: [{ id: 'ssp', allowIdpInitiated: true }],
};

export interface SspSuite {
  readonly emulator: AwsEmulator;
  /** SimpleSAMLphp (signing with IDP_KEY unless `ssp` says otherwise) and the service, with the PostgreSQL cluster. */
  deploy(options: Pick<SspDeploymentOptions, 'ssp' | 'sp' | 'idps'>): Promise<SspDeployment>;
  /** A page in a browser context of its own (no cookies shared with other tests). */
  newPage(): Promise<Page>;
  /** AssumeRoleWithSAML outcomes recorded since `from` (an index into emulator.calls). */
  stsOutcomes(from: number): string[];
}

/** Registers the suite's before and after hooks in the calling describe block (or file). */
export function sspFeatureSuite(): SspSuite {
  let pg: PrivatePostgres;
  let emulator: AwsEmulator;
  let chromium: LaunchedChromium;

  // Installing the Debian packages (only when missing, as root) may take minutes; starting up may not.
  before(() => ensureSimpleSamlPhpTools(), { timeout: 15 * 60_000 });
  before(
    async () => {
      const started = await Promise.allSettled([
        startPrivatePostgres().then((p) => (pg = p)),
        launchChromium().then((c) => (chromium = c)),
      ]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      emulator = await startAwsEmulator({
        samlProviders: [
          {
            arn: SSP_PROVIDER_ARN,
            // Both rollover certificates, and the SP's private key (IAM AddPrivateKey) for encrypted assertions.
            certs: [IDP_KEY.certificatePem, IDP_NEXT_KEY.certificatePem],
            entityId: SSP_ENTITY_ID,
            decryptionKeys: [fixtureKeys.sp.privateKey],
          },
        ],
        clusters: [{ clusterIdentifier: 'ssp-cluster', host: pg.host, port: pg.port }],
        postgresAdminUrl: pg.url,
      });
    },
    { timeout: 60_000 },
  );
  after(async () => {
    await chromium?.close();
    await emulator?.close();
    await pg?.stop();
  });

  return {
    get emulator() {
      return emulator;
    },
    deploy: (options) =>
      deploySspAndService({
        ...options,
        ssp: { entityId: SSP_ENTITY_ID, signingKey: IDP_KEY, ...options.ssp },
        clusters: [
          {
            id: 'ssp',
            clusterIdentifier: 'ssp-cluster',
            database: 'postgres',
            sslMode: 'disable',
            roles: [SSP_ANALYST_ROLE, SSP_ADMIN_ROLE],
          },
        ],
        awsEndpoint: emulator.url,
      }),
    newPage: async () => (await chromium.newContext()).newPage(),
    stsOutcomes: (from) =>
      emulator.calls
        .slice(from)
        .filter((c) => c.action === 'AssumeRoleWithSAML')
        .map((c) => (c.ok ? 'ok' : (c.errorCode ?? 'failed'))),
  };
}
