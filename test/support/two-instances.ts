// Two spawned instances of the service (`src/main.ts`, NODE_ENV=production) with one YAML
// configuration, one fresh PostgreSQL database and the AWS emulator, behind a real nginx on
// loopback (test/support/nginx.ts) whose URL is their baseUrl, with `trustProxy: loopback`.
// Which instance answered is read from nginx's X-Upstream header; `steer` makes the next
// request land on a chosen instance by spending round-robin turns on /healthz.
import assert from 'node:assert/strict';
import pg from 'pg';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { TEST_CLUSTER_HOST, TEST_CLUSTER_IDENTIFIER, TEST_CLUSTER_PORT } from './app-harness.ts';
import { CookieClient } from './cookie-client.ts';
import { authnRequestIdOf, signedResponseTo } from './http-flow.ts';
import { startNginx, type Nginx } from './nginx.ts';
import { REDSHIFT_DB_GROUPS, type SamlResponseOverrides } from './sign-response.ts';
import { fixtureIdp, freePort, ServiceHome, type ServiceConfig, type SpawnedService } from './spawn-service.ts';
import { createTestDatabase } from './test-postgres.ts';
import { testSessionSecret } from './test-secret.ts';

export const HA_IDP = 'corp';
export const HA_CLUSTER = 'warehouse';
export const HA_ADMIN_GROUP = 'admins';

export interface TwoInstances {
  a: SpawnedService;
  b: SpawnedService;
  /** nginx's URL: the services' baseUrl. */
  url: string;
  nginx: Nginx;
  emulator: AwsEmulator;
  /** `127.0.0.1:<port>` of an instance, as nginx's X-Upstream names it. */
  addr(instance: SpawnedService): string;
  newClient(): CookieClient;
  /** Spends round-robin turns on /healthz until the next request goes to `instance`. */
  steer(instance: SpawnedService): Promise<void>;
  /**
   * A signed response from the fixture IdP (to `idp`, default the file's connection); with a client, answering a fresh
   * AuthnRequest of it.
   */
  samlResponse(
    client: CookieClient | undefined,
    overrides?: SamlResponseOverrides & { groups?: string[]; idp?: string },
  ): Promise<string>;
  /** Runs SQL on the shared database. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export function upstreamOf(res: Response): string {
  return res.headers.get('x-upstream') ?? '';
}

export async function startTwoInstances(): Promise<TwoInstances> {
  const home = ServiceHome.create('ha');
  const database = await createTestDatabase('redshift_sso_ha');
  const emulator = await fixtureIdp.emulator({
    clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
  });
  const nginxPort = await freePort();
  const url = `http://127.0.0.1:${nginxPort}`;
  const config = home.writeConfig(haConfig(url, database.url));
  const spawn = () => home.spawn({ config, baseUrl: url, awsEmulator: emulator.url });
  // Started together: both run the migrations, which PostgreSQL's advisory lock serialises.
  const [a, b] = await Promise.all([spawn(), spawn()]);
  const nginx = await startNginx([a.port, b.port], nginxPort);
  const addr = (instance: SpawnedService) => `127.0.0.1:${instance.port}`;

  return {
    a,
    b,
    url,
    nginx,
    emulator,
    addr,
    newClient: () => new CookieClient(url),
    async steer(instance) {
      for (let turn = 0; turn < 3; turn++) {
        const res = await fetch(`${url}/healthz`);
        await res.arrayBuffer();
        if (upstreamOf(res) !== addr(instance)) return;
      }
      assert.fail(`nginx keeps sending /healthz to ${addr(instance)}: not round robin`);
    },
    async samlResponse(client, overrides = {}) {
      const { groups, idp = HA_IDP, ...rest } = overrides;
      let inResponseTo: string | undefined;
      if (client !== undefined) {
        const start = await client.get(`/login/${idp}`);
        assert.equal(start.status, 302, `GET /login/${idp} redirects to the IdP`);
        inResponseTo = authnRequestIdOf(start.headers.get('location') ?? '');
      }
      return signedResponseTo(url, idp, {
        inResponseTo,
        ...rest,
        extraAttributes: { [REDSHIFT_DB_GROUPS]: groups ?? ['Analysts'], ...rest.extraAttributes },
      });
    },
    // A connection per query: none is left idle for the database's DROP … WITH (FORCE) to cut.
    async query(sql, params = []) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async close() {
      await home.close();
      await nginx.stop();
      await emulator.close();
      await database.drop();
    },
  };
}

function haConfig(baseUrl: string, storeUrl: string): ServiceConfig {
  return {
    server: {
      baseUrl,
      trustProxy: 'loopback',
      sessionSecret: testSessionSecret(),
      // Every test client comes from 127.0.0.1 through nginx: one rate-limit key for all of them.
      rateLimit: { login: 100000, acs: 100000, api: 100000 },
    },
    // IdP-initiated responses carry no InResponseTo: only the shared replay cache can refuse a second use.
    idps: [fixtureIdp.entry({ id: HA_IDP, allowIdpInitiated: true })],
    clusters: [fixtureIdp.cluster({ id: HA_CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, region: undefined })],
    admin: { groups: [HA_ADMIN_GROUP] },
    store: { url: storeUrl },
  };
}
