// What the SimpleSAMLphp feature tests share: the keys and algorithms they name, and one suite set-up
// (the Debian tools, a private PostgreSQL, Chromium, the AWS emulator trusting every key a
// SimpleSAMLphp here may sign with, and SimpleSAMLphp with the service) per describe block.
import { before, after, it } from 'node:test';
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
  /** SimpleSAMLphp and the service of this describe block, deployed before its first test (stop() is the suite's). */
  readonly d: SspDeployment;
  /** A page in a browser context of its own (no cookies shared with other tests). */
  newPage(): Promise<Page>;
  /** A test (30 s at most) on a page of its own, whose context is closed when the test passes. */
  inBrowser(name: string, fn: (page: Page) => Promise<void>): void;
  /** AssumeRoleWithSAML outcomes recorded since `from` (an index into emulator.calls). */
  stsOutcomes(from: number): string[];
}

/**
 * Registers the suite's hooks in the calling describe block: the Debian tools, PostgreSQL, Chromium and the emulator,
 * then SimpleSAMLphp (signing with IDP_KEY unless `options.ssp` says otherwise) and the service, with the PostgreSQL
 * cluster.
 */
export function sspFeatureSuite(options: Pick<SspDeploymentOptions, 'ssp' | 'sp' | 'idps'>): SspSuite {
  let pg: PrivatePostgres | undefined;
  let emulator: AwsEmulator | undefined;
  let chromium: LaunchedChromium | undefined;
  let deployment: SspDeployment | undefined;
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`${what} has not started`);
    return value;
  };

  // Installing the Debian packages (only when missing, as root) may take minutes; starting up may not.
  before(() => ensureSimpleSamlPhpTools(), { timeout: 15 * 60_000 });
  before(
    async () => {
      const starting = await Promise.allSettled([
        startPrivatePostgres().then((p) => (pg = p)),
        launchChromium().then((c) => (chromium = c)),
      ]);
      for (const result of starting) if (result.status === 'rejected') throw result.reason;
      const db = started('PostgreSQL', pg);
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
        clusters: [{ clusterIdentifier: 'ssp-cluster', host: db.host, port: db.port }],
        postgresAdminUrl: db.url,
      });
      deployment = await deploySspAndService({
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
      });
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await deployment?.stop();
    await chromium?.close();
    await emulator?.close();
    await pg?.stop();
  });

  const current = () => started('the SimpleSAMLphp deployment', deployment);
  const newPage = async () => (await started('Chromium', chromium).newContext()).newPage();
  return {
    get emulator() {
      return started('the AWS emulator', emulator);
    },
    // Read by the tests, which run after the hooks above: every property looks the deployment up then.
    d: {
      get ssp() {
        return current().ssp;
      },
      get service() {
        return current().service;
      },
      get baseUrl() {
        return current().baseUrl;
      },
      diagnose: (page) => current().diagnose(page),
      stop: () => current().stop(),
    },
    newPage,
    inBrowser: (name, fn) =>
      it(name, { timeout: 30_000 }, async () => {
        const page = await newPage();
        await fn(page);
        await page.context().close();
      }),
    stsOutcomes: (from) =>
      started('the AWS emulator', emulator)
        .calls.slice(from)
        .filter((c) => c.action === 'AssumeRoleWithSAML')
        .map((c) => (c.ok ? 'ok' : (c.errorCode ?? 'failed'))),
  };
}
