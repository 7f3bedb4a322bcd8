// A configured install for browser tests of the console: the demo IdP on a server of its own (as an
// external IdP would be), the AWS emulator with the demo cluster and workgroup, and the service started
// from a file with no IdP, so it hands out a setup token (read from the 0600 file beside its store) and
// the first IdP is added in the console. startConsoleInstall adds two clusters to the file.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Page } from 'playwright-core';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { createDemoIdpRouter, demoIdpMetadataXml, DEMO_USERS } from '../../src/dev/demo-idp.ts';
import { DEMO_ADMIN_ROLE, DEMO_ANALYST_ROLE, DEMO_PRINCIPAL_ARN } from '../../src/dev/demo.ts';
import { VIEWS_DIR } from '../../src/web/server.ts';
import { freePort, ServiceHome, type SpawnedService } from './spawn-service.ts';
import { fixtureKeys } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

/** The demo IdP's key: not the fixture IdP's, so nothing signed for other tests is trusted here. */
export const CONSOLE_IDP_KEY = fixtureKeys.idpNext;

interface DemoIdpServer {
  idpBase: string;
  /** Metadata XML of the demo IdP published under `idpBase`/`path`. */
  metadataFor(path: string): string;
  close(): void;
}

/**
 * The demo IdP on a loopback server of its own, one router per path (`/corp`), each posting to `acsUrl`; with
 * `spEntityId`, an AuthnRequest from any other service provider is refused.
 */
async function startDemoIdpServer(
  routes: Record<string, { acsUrl: string; spEntityId?: string }>,
): Promise<DemoIdpServer> {
  const idpApp = express();
  const idpServer: Server = createServer(idpApp);
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
  const idpBase = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`;
  idpApp.use('/static', express.static(`${VIEWS_DIR}static`));
  for (const [path, { acsUrl, spEntityId }] of Object.entries(routes)) {
    idpApp.use(
      path,
      createDemoIdpRouter({
        entityId: `${idpBase}${path}/metadata`,
        ssoUrl: `${idpBase}${path}/sso`,
        key: CONSOLE_IDP_KEY,
        users: DEMO_USERS,
        audiences: ['urn:amazon:webservices'],
        acsUrl: (issuer) => {
          if (spEntityId !== undefined && issuer !== spEntityId) throw new Error(`unknown service provider ${issuer}`);
          return acsUrl;
        },
        defaultAcsUrl: acsUrl,
      }),
    );
  }
  return {
    idpBase,
    metadataFor: (path) =>
      demoIdpMetadataXml({
        entityId: `${idpBase}${path}/metadata`,
        ssoUrl: `${idpBase}${path}/sso`,
        key: CONSOLE_IDP_KEY,
      }),
    close: () => {
      idpServer.closeAllConnections();
      idpServer.close();
    },
  };
}

/** The AWS emulator trusting the demo IdP as the demo's SAML provider, with its cluster and workgroup. */
function startConsoleEmulator(): Promise<AwsEmulator> {
  return startAwsEmulator({
    samlProviders: [{ arn: DEMO_PRINCIPAL_ARN, certs: [CONSOLE_IDP_KEY.certificate] }],
    clusters: [{ clusterIdentifier: 'demo-cluster', host: '127.0.0.1', port: 5439 }],
    workgroups: [{ workgroupName: 'demo-serverless', host: '127.0.0.1', port: 5439 }],
  });
}

const CONSOLE_CLUSTERS = [
  {
    id: 'warehouse',
    name: 'Warehouse',
    clusterIdentifier: 'demo-cluster',
    database: 'dev',
    sslMode: 'disable',
    roles: [DEMO_ANALYST_ROLE, DEMO_ADMIN_ROLE],
  },
  {
    id: 'lakehouse',
    name: 'Lakehouse (serverless)',
    type: 'serverless',
    workgroup: 'demo-serverless',
    database: 'dev',
    sslMode: 'disable',
    roles: [DEMO_ADMIN_ROLE],
  },
];

export interface ConsoleInstall {
  baseUrl: string;
  idpBase: string;
  emulator: AwsEmulator;
  /** The service last started (by startConsoleInstall, or by startAgain). */
  readonly service: SpawnedService;
  /** Where the service writes its one-time setup token at its first start (beside its store). */
  setupTokenFile: string;
  setupToken(): string;
  /** Starts the service again on the same port, configuration and store (stop the last one first). */
  startAgain(): Promise<SpawnedService>;
  /** Metadata XML of the demo IdP, published under `idpBase`/`path`, posting to the ACS of `idpId`. */
  metadataFor(path: string): string;
  /** Where the browser is, what it shows, and the end of the service's output, for failure messages. */
  diagnose(page: Page): Promise<string>;
  close(): Promise<void>;
}

export interface ConsoleInstallOptions {
  /** The configuration file's clusters, Warehouse and Lakehouse (default); without, the console adds them. */
  clusters?: boolean;
  /** The demo IdP refuses AuthnRequests from any service provider but this service's default entity ID. */
  checkIssuer?: boolean;
}

/**
 * A development-mode service with AWS at the emulator, admins in group `admins` and no IdP, for the console to set
 * up. `idps` maps a path on the IdP server (`/corp`) to the ID of the IdP connection it answers for.
 */
export async function startConsoleInstall(
  idps: Record<string, string>,
  options: ConsoleInstallOptions = {},
): Promise<ConsoleInstall> {
  const home = ServiceHome.create('console');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const emulator = await startConsoleEmulator();
  const spEntityId = options.checkIssuer === true ? `${baseUrl}/saml/metadata` : undefined;
  const idp = await startDemoIdpServer(
    Object.fromEntries(
      Object.entries(idps).map(([path, idpId]) => [path, { acsUrl: `${baseUrl}/saml/acs/${idpId}`, spEntityId }]),
    ),
  );
  const config = home.writeConfig({
    mode: 'development',
    server: { baseUrl, sessionSecret: testSessionSecret() },
    aws: { endpoint: emulator.url, region: 'us-east-1' },
    ...(options.clusters === false ? {} : { clusters: CONSOLE_CLUSTERS }),
    store: { url: home.sqliteUrl() },
    admin: { groups: ['admins'] },
  });
  // No instance metadata, and not demo mode.
  const start = () => home.spawn({ port, config, env: { AWS_EC2_METADATA_DISABLED: 'true', NODE_ENV: 'test' } });
  let service = await start();
  return {
    baseUrl,
    idpBase: idp.idpBase,
    emulator,
    get service() {
      return service;
    },
    setupTokenFile: home.path('setup-token'),
    setupToken: () => readFileSync(home.path('setup-token'), 'utf8').trim(),
    startAgain: async () => (service = await start()),
    metadataFor: idp.metadataFor,
    async diagnose(page) {
      const body = await page.textContent('body').catch(() => '(no body)');
      return `at ${page.url()}:\n${body?.replace(/\s+/g, ' ').slice(0, 1500)}\n--- service ---\n${service.output().slice(-3000)}`;
    },
    async close() {
      await home.close();
      idp.close();
      await emulator.close();
    },
  };
}
