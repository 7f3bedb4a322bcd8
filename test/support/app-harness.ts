// An in-process service for integration tests: the real app (real SAML validation, real AWS SDK)
// listening on a loopback port, the AWS emulator behind `aws.endpoint`, a cookie-jar client and
// every log line the app writes. Each test builds its own harness: its own app, store and emulator.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { createApp, type App } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Store } from '../../src/store/ports.ts';
import { createLogger } from '../../src/logger.ts';
import { openRoleSessions, sessionIdOf } from './session-inspect.ts';
import type { RoleSession } from '../../src/aws/ports.ts';
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions, type EmulatorCall } from '../../src/dev/aws-emulator.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN, type SamlResponseOverrides } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

export const TEST_IDP_ID = 'test';
export const TEST_CLUSTER_ID = 'analytics';
export const TEST_CLUSTER_IDENTIFIER = 'analytics-cluster';
export const TEST_CLUSTER_HOST = 'analytics-cluster.abc123xyz.us-east-1.redshift.amazonaws.com';
export const TEST_CLUSTER_PORT = 5439;
export const TEST_SSO_URL = 'https://idp.test.example/sso';
export const SESSION_COOKIE = 'redshift-sso';
/** A second role in the fixture account, trusted by the same SAML provider. */
export const SECOND_ROLE_ARN = 'arn:aws:iam::123456789012:role/RedshiftEngineer';
/** A role no cluster lists. */
export const UNLISTED_ROLE_ARN = 'arn:aws:iam::123456789012:role/Marketing';

const SESSION_SECRET = testSessionSecret();

export interface AppHarnessOptions {
  /** Merged over the `test` IdP entry (allowIdpInitiated, maxSessionDurationSeconds, ...). */
  idp?: Record<string, unknown>;
  /** Replaces the default clusters (`analytics`, for TEST_ROLE_ARN only). */
  clusters?: Array<Record<string, unknown>>;
  emulator?: Partial<AwsEmulatorOptions>;
  /** The app's clock (the emulator and the IdP keep real time). */
  now?: () => Date;
  /** Merged over `server.rateLimit`. */
  rateLimit?: Record<string, unknown>;
  /** Further configuration sections (metrics, ...), merged over the harness's own. */
  config?: Record<string, unknown>;
  /** Merged over the `sp` section (maxResponseAgeSeconds, decryptionKey, ...). */
  sp?: Record<string, unknown>;
  /** A store the test opened (PostgreSQL); default a fresh SQLite database in memory. Closed by close(). */
  store?: Store;
}

export interface PostAcsOptions {
  /** Ask for JSON errors (Accept: application/json); default HTML like a browser. */
  json?: boolean;
  idp?: string;
  relayState?: string;
  /** Leave SAMLResponse out of the form altogether. */
  omit?: boolean;
}

export class CookieClient {
  private readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(this.cookies.size > 0 ? { cookie: this.header() } : {}), ...init.headers };
    const res = await fetch(new URL(path, this.baseUrl), { method, redirect: 'manual', headers, body: init.body });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, { headers });
  }
  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  }
  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('POST', path, { headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body: JSON.stringify(body) });
  }
}

export interface AppHarness {
  baseUrl: string;
  acsUrl: string;
  config: Config;
  service: App;
  emulator: AwsEmulator;
  /** Every line the app logged, in order (JSON text). */
  logs: string[];
  client: CookieClient;
  /** GET /login/test; returns the AuthnRequest ID carried in SAMLRequest. */
  startLogin(idpId?: string): Promise<string>;
  /** A signed response for the ACS; InResponseTo is a fresh request ID unless given (`undefined` leaves it out). */
  validResponse(overrides?: SamlResponseOverrides): Promise<string>;
  postAcs(samlResponse: string, options?: PostAcsOptions): Promise<Response>;
  /** SP-initiated sign-in with a valid response; asserts nothing, returns the ACS answer. */
  signIn(overrides?: SamlResponseOverrides): Promise<Response>;
  /** A fresh cookie-less client on the same server. */
  newClient(): CookieClient;
  /** Emulator calls made since `mark` (an index from `emulator.calls.length`). */
  callsSince(mark: number): EmulatorCall[];
  /** The session ID inside a signed session cookie value. */
  sessionIdOf(cookieValue: string): string;
  /** Stores an anonymous session and gives the client its signed cookie (a planted, pre-login session). */
  plantSession(client?: CookieClient): Promise<string>;
  /** The role sessions sealed in a signed-in client's server-side session, opened. */
  roleSessionsOf(client?: CookieClient): Promise<RoleSession[]>;
  close(): Promise<void>;
}

export async function startAppHarness(options: AppHarnessOptions = {}): Promise<AppHarness> {
  const emulator = await startAwsEmulator({
    samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] }],
    clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
    ...options.emulator,
  });

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const acsUrl = `${baseUrl}/saml/acs/${TEST_IDP_ID}`;

  const config = buildConfig(
    {
      mode: 'development',
      log: { level: 'debug' },
      server: { baseUrl, sessionSecret: SESSION_SECRET, ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }) },
      ...(options.sp === undefined ? {} : { sp: options.sp }),
      idps: [{ id: TEST_IDP_ID, name: 'Test IdP', entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate], ...options.idp }],
      clusters: options.clusters ?? [{ id: TEST_CLUSTER_ID, name: 'Analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
      aws: { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, timeoutMs: 5000 },
      store: { url: 'sqlite::memory:' },
      ...options.config,
    },
    {},
  );

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(line);
      done();
    },
  });
  const service = createApp(config, {
    logger: createLogger({ level: 'debug' }, sink),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  server.on('request', service.app);

  const client = new CookieClient(baseUrl);

  const startLogin = async (idpId = TEST_IDP_ID): Promise<string> => {
    const res = await client.get(`/login/${idpId}`);
    if (res.status !== 302) throw new Error(`GET /login/${idpId} answered ${res.status}, expected 302`);
    const location = new URL(res.headers.get('location') ?? '');
    const samlRequest = location.searchParams.get('SAMLRequest');
    if (samlRequest === null) throw new Error('the IdP redirect carries no SAMLRequest');
    const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
    const id = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
    if (id === undefined) throw new Error('the AuthnRequest has no ID');
    return id;
  };

  const validResponse = async (overrides: SamlResponseOverrides = {}): Promise<string> => {
    const inResponseTo = 'inResponseTo' in overrides ? overrides.inResponseTo : await startLogin();
    return aSamlResponse({ destination: acsUrl, recipient: acsUrl, ...overrides, inResponseTo });
  };

  const postAcs = (samlResponse: string, opts: PostAcsOptions = {}): Promise<Response> => {
    const fields: Record<string, string> = opts.omit === true ? {} : { SAMLResponse: samlResponse };
    if (opts.relayState !== undefined) fields.RelayState = opts.relayState;
    const accept = opts.json === true ? 'application/json' : 'text/html,application/xhtml+xml';
    return client.postForm(`/saml/acs/${opts.idp ?? TEST_IDP_ID}`, fields, { accept });
  };

  return {
    baseUrl,
    acsUrl,
    config,
    service,
    emulator,
    logs,
    client,
    startLogin,
    validResponse,
    postAcs,
    async signIn(overrides = {}) {
      return postAcs(await validResponse(overrides));
    },
    newClient: () => new CookieClient(baseUrl),
    callsSince: (mark) => emulator.calls.slice(mark),
    sessionIdOf,
    async plantSession(target = client) {
      const sid = `planted-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const expires = new Date(Date.now() + 3600_000);
      const data = { cookie: { originalMaxAge: 3600_000, expires: expires.toISOString(), httpOnly: true, path: '/', sameSite: 'lax', secure: false } };
      await service.store.setSession(sid, JSON.stringify(data), expires);
      // express-session signs with cookie-signature: HMAC-SHA256, base64 without padding.
      const signature = createHmac('sha256', SESSION_SECRET).update(sid).digest('base64').replace(/=+$/, '');
      target.setCookie(SESSION_COOKIE, encodeURIComponent(`s:${sid}.${signature}`));
      return sid;
    },
    roleSessionsOf: (target = client) => openRoleSessions(service.store, SESSION_SECRET, target.cookie(SESSION_COOKIE)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      await emulator.close();
    },
  };
}

/** The Role attribute value for a role trusted through the test SAML provider. */
export function rolePair(roleArn: string): string {
  return `${roleArn},${TEST_PRINCIPAL_ARN}`;
}
