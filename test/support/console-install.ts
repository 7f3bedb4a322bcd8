// A configured install for browser tests of every page: the demo IdP on a server of its own (as an
// external IdP would be), the AWS emulator with one cluster and one workgroup, and the service
// started from a file with those clusters and no IdP, so it hands out a setup token (read from the
// 0600 file beside its store) and the first IdP is added in the console.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { createDemoIdpRouter, demoIdpMetadataXml, DEMO_USERS } from '../../src/dev/demo-idp.ts';
import { DEMO_ADMIN_ROLE, DEMO_ANALYST_ROLE, DEMO_PRINCIPAL_ARN } from '../../src/dev/demo.ts';
import { VIEWS_DIR } from '../../src/web/server.ts';
import { spawnService, freePort, type SpawnedService } from './spawn-service.ts';
import { fixtureKeys } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

const IDP_KEY = fixtureKeys.idpNext;

export interface ConsoleInstall {
  baseUrl: string;
  idpBase: string;
  service: SpawnedService;
  /** The one-time setup token the service wrote at its first start. */
  setupToken(): string;
  /** Metadata XML of the demo IdP, published under `idpBase`/`path`, posting to the ACS of `idpId`. */
  metadataFor(path: string): string;
  close(): Promise<void>;
}

/** `idps` maps a path on the IdP server (`/corp`) to the ID of the IdP connection it answers for. */
export async function startConsoleInstall(idps: Record<string, string>): Promise<ConsoleInstall> {
  const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-console-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const emulator: AwsEmulator = await startAwsEmulator({
    samlProviders: [{ arn: DEMO_PRINCIPAL_ARN, certs: [IDP_KEY.certificate] }],
    clusters: [{ clusterIdentifier: 'demo-cluster', host: '127.0.0.1', port: 5439 }],
    workgroups: [{ workgroupName: 'demo-serverless', host: '127.0.0.1', port: 5439 }],
  });
  const idpApp = express();
  const idpServer: Server = createServer(idpApp);
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
  const idpBase = `http://127.0.0.1:${(idpServer.address() as AddressInfo).port}`;
  idpApp.use('/static', express.static(`${VIEWS_DIR}static`));
  for (const [path, idpId] of Object.entries(idps)) {
    const acs = `${baseUrl}/saml/acs/${idpId}`;
    idpApp.use(
      path,
      createDemoIdpRouter({
        entityId: `${idpBase}${path}/metadata`,
        ssoUrl: `${idpBase}${path}/sso`,
        key: IDP_KEY,
        users: DEMO_USERS,
        audiences: ['urn:amazon:webservices'],
        acsUrl: () => acs,
        defaultAcsUrl: acs,
      }),
    );
  }
  const configPath = join(dir, 'redshift-sso.yml');
  writeFileSync(
    configPath,
    [
      'mode: development',
      'server:',
      `  baseUrl: ${baseUrl}`,
      `  sessionSecret: "${testSessionSecret()}"`,
      'aws:',
      `  endpoint: ${emulator.url}`,
      '  region: us-east-1',
      'clusters:',
      '  - id: warehouse',
      '    name: Warehouse',
      '    clusterIdentifier: demo-cluster',
      '    database: dev',
      '    sslMode: disable',
      `    roles: ["${DEMO_ANALYST_ROLE}", "${DEMO_ADMIN_ROLE}"]`,
      '  - id: lakehouse',
      '    name: Lakehouse (serverless)',
      '    type: serverless',
      '    workgroup: demo-serverless',
      '    database: dev',
      '    sslMode: disable',
      `    roles: ["${DEMO_ADMIN_ROLE}"]`,
      'store:',
      `  url: sqlite:${join(dir, 'store.db')}`,
      'admin:',
      '  groups: [admins]',
      '',
    ].join('\n'),
  );
  const service = await spawnService({
    REDSHIFT_SSO_CONFIG: configPath,
    REDSHIFT_SSO_BASE_URL: baseUrl,
    PORT: String(port),
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_ENV: 'test',
  });
  return {
    baseUrl,
    idpBase,
    service,
    setupToken: () => readFileSync(join(dir, 'setup-token'), 'utf8').trim(),
    metadataFor: (path) =>
      demoIdpMetadataXml({ entityId: `${idpBase}${path}/metadata`, ssoUrl: `${idpBase}${path}/sso`, key: IDP_KEY }),
    async close() {
      await service.stop();
      idpServer.closeAllConnections();
      idpServer.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
