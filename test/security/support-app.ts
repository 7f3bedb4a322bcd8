// The service under attack for the security tests: like test/support/app-harness.ts (real app, real
// SAML validation, the AWS emulator on loopback) but with the per-IP rate limits raised so thousands
// of requests from one address are judged on their content, and with the IdP's SSO URL settable.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { createApp, type App } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { startAwsEmulator, type AwsEmulator, type EmulatorCall } from '../../src/dev/aws-emulator.ts';
import { CookieClient, SECOND_ROLE_ARN, TEST_CLUSTER_HOST, TEST_CLUSTER_IDENTIFIER, TEST_CLUSTER_PORT, TEST_IDP_ID, TEST_SSO_URL } from '../support/app-harness.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN, type SamlResponseOverrides } from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';

export { CookieClient, SECOND_ROLE_ARN, TEST_IDP_ID };

const SESSION_SECRET = testSessionSecret();
const UNLIMITED = 1_000_000;

export interface SecurityAppOptions {
  /** Merged over the `test` IdP entry (allowIdpInitiated, ssoUrl, ...). */
  idp?: Record<string, unknown>;
  /** Replaces the default cluster (`analytics`, open to TEST_ROLE_ARN and SECOND_ROLE_ARN). */
  clusters?: Array<Record<string, unknown>>;
}

export interface SecurityApp {
  baseUrl: string;
  acsUrl: string;
  config: Config;
  service: App;
  emulator: AwsEmulator;
  /** Log lines at level error or above (JSON text): a 500 always leaves one. */
  errorLogs: string[];
  /** Every refused request, from the error handler's "request refused" log lines, in order. */
  refusals: Array<{ code: string; status: number; method: string; path: string }>;
  client: CookieClient;
  newClient(): CookieClient;
  /** GET /login/test with `client`; the AuthnRequest ID it sent to the IdP. */
  startLogin(client?: CookieClient): Promise<string>;
  /** A signed response for this ACS; a fresh InResponseTo unless one is given (`undefined` omits it). */
  validResponse(overrides?: SamlResponseOverrides): Promise<string>;
  /** Signs `client` in (SP-initiated) and checks it worked. */
  signIn(client?: CookieClient, overrides?: SamlResponseOverrides): Promise<void>;
  callsSince(mark: number): EmulatorCall[];
  close(): Promise<void>;
}

export async function startSecurityApp(options: SecurityAppOptions = {}): Promise<SecurityApp> {
  const emulator = await startAwsEmulator({
    samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] }],
    clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
  });
  const server: Server = createServer({ keepAliveTimeout: 30_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const acsUrl = `${baseUrl}/saml/acs/${TEST_IDP_ID}`;
  const config = buildConfig(
    {
      mode: 'development',
      log: { level: 'warn' },
      server: { baseUrl, sessionSecret: SESSION_SECRET, rateLimit: { windowSeconds: 60, login: UNLIMITED, acs: UNLIMITED, api: UNLIMITED } },
      idps: [{ id: TEST_IDP_ID, name: 'Test IdP', entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate], ...options.idp }],
      clusters: options.clusters ?? [{ id: 'analytics', name: 'Analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN, SECOND_ROLE_ARN] }],
      aws: { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, timeoutMs: 5000 },
      store: { url: 'sqlite::memory:' },
    },
    {},
  );

  const errorLogs: string[] = [];
  const refusals: SecurityApp['refusals'] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        if (/"level":(?:[5-9]\d)/.test(line)) errorLogs.push(line);
        if (line.includes('"msg":"request refused"')) {
          const entry = JSON.parse(line) as { code: string; status: number; method: string; path: string };
          refusals.push({ code: entry.code, status: entry.status, method: entry.method, path: entry.path });
        }
      }
      done();
    },
  });
  const service = createApp(config, { logger: createLogger({ level: 'warn' }, sink) });
  server.on('request', service.app);
  const client = new CookieClient(baseUrl);

  const startLogin = async (target: CookieClient = client): Promise<string> => {
    const res = await target.get(`/login/${TEST_IDP_ID}`);
    if (res.status !== 302) throw new Error(`GET /login/${TEST_IDP_ID} answered ${res.status}, expected 302`);
    const samlRequest = new URL(res.headers.get('location') ?? '').searchParams.get('SAMLRequest');
    if (samlRequest === null) throw new Error('the IdP redirect carries no SAMLRequest');
    return authnRequestId(samlRequest);
  };

  const validResponse = async (overrides: SamlResponseOverrides = {}): Promise<string> => {
    const inResponseTo = 'inResponseTo' in overrides ? overrides.inResponseTo : await startLogin(new CookieClient(baseUrl));
    return aSamlResponse({ destination: acsUrl, recipient: acsUrl, ...overrides, inResponseTo });
  };

  return {
    baseUrl,
    acsUrl,
    config,
    service,
    emulator,
    errorLogs,
    refusals,
    client,
    newClient: () => new CookieClient(baseUrl),
    startLogin,
    validResponse,
    async signIn(target = client, overrides = {}) {
      const inResponseTo = await startLogin(target);
      const res = await target.postForm(`/saml/acs/${TEST_IDP_ID}`, { SAMLResponse: await validResponse({ inResponseTo, ...overrides }) });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    },
    callsSince: (mark) => emulator.calls.slice(mark),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      await emulator.close();
    },
  };
}

/** The ID of a deflated, base64 AuthnRequest (HTTP-Redirect binding). */
export function authnRequestId(samlRequest: string): string {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const id = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error('the AuthnRequest has no ID');
  return id;
}
