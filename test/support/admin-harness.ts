// An in-process service for admin console tests: the real app on a loopback port with
// `admin.groups: [admins]`, no IdP and no cluster unless given, any store (SQLite in memory by
// default, or one a test opened on PostgreSQL), and the AWS emulator trusting both fixture IdP keys.
// Helpers sign in through the setup token or a SAML response, and post admin forms with the CSRF token.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { createApp, type App, type AppOverrides } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/ports.ts';
import type { MetadataTimers } from '../../src/connections/metadata-retry.ts';
import { openRoleSessions } from './session-inspect.ts';
import type { RoleSession } from '../../src/aws/ports.ts';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { CookieClient, SESSION_COOKIE, TEST_CLUSTER_HOST, TEST_CLUSTER_IDENTIFIER, TEST_CLUSTER_PORT, TEST_SSO_URL } from './app-harness.ts';
import { aSamlResponse, fixtureKeys, REDSHIFT_DB_GROUPS, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN, type SamlResponseOverrides } from './sign-response.ts';
import { testSessionSecret } from './test-secret.ts';

export const ADMIN_SESSION_SECRET = testSessionSecret();
export const ADMIN_GROUP = 'admins';

export interface AdminHarnessOptions {
  /** IdPs in the configuration file (default none). */
  idps?: Array<Record<string, unknown>>;
  /** Clusters in the configuration file (default none). */
  clusters?: Array<Record<string, unknown>>;
  /** sp.metadataFetch overrides. */
  metadataFetch?: Record<string, unknown>;
  /** A store the test opened (PostgreSQL); default a fresh SQLite database in memory. Closed by close(). */
  store?: Store;
  /** An emulator shared with another harness (not closed by close()); default a new one. */
  emulator?: AwsEmulator;
  /** The service's clock (default the real one). */
  now?: () => Date;
  /** server.* settings merged over the harness's (sessionMaxLifetimeSeconds, sessionTtlSeconds, ...). */
  server?: Record<string, unknown>;
  /** The audit pruning job's timers and batch size (default real timers: the first run a minute in). */
  auditPrune?: AppOverrides['auditPrune'];
  /** The audit section of the configuration (retentionDays, ...). */
  audit?: Record<string, unknown>;
  /** The metrics section (e.g. a token, for GET /metrics on the main port). */
  metrics?: Record<string, unknown>;
  /** Timers of the daily certificate expiry warning (fakeTimers() fires them by hand). */
  certificateExpiryTimers?: MetadataTimers;
}

export interface SignInOptions extends SamlResponseOverrides {
  /** DbGroups values (default Analysts: not an admin). */
  groups?: string[];
  /** Ask for JSON errors. */
  json?: boolean;
  userAgent?: string;
}

export interface AdminHarness {
  baseUrl: string;
  config: Config;
  service: App;
  emulator: AwsEmulator;
  logs: string[];
  newClient(): CookieClient;
  acsUrl(idpId: string): string;
  /** A signed response from the fixture IdP, answering a fresh AuthnRequest of this client. */
  samlResponseFor(client: CookieClient, idpId: string, options?: SignInOptions): Promise<string>;
  /** SP-initiated sign-in; returns the ACS answer and the response posted. */
  signIn(client: CookieClient, idpId: string, options?: SignInOptions): Promise<{ res: Response; samlResponse: string }>;
  /** Enters the setup token on /admin/setup; asserts it opened the console. */
  signInWithSetupToken(client: CookieClient, token: string): Promise<void>;
  /** In a setup-token session: saves the first IdP and asserts that this ended the session. */
  saveFirstIdp(client: CookieClient, fields: Record<string, string>): Promise<void>;
  /** Signs in through that IdP as a member of admin.groups; asserts it worked. */
  signInAsAdmin(client: CookieClient, idpId: string, options?: SignInOptions): Promise<void>;
  /** The session's CSRF token, read from a page it is on. */
  csrf(client: CookieClient): Promise<string>;
  /** POSTs a form with the session's CSRF token (JSON errors). */
  post(client: CookieClient, path: string, fields: Record<string, string>): Promise<Response>;
  /** Role sessions sealed in a signed-in client's server-side session, opened (for secret searches). */
  roleSessionsOf(client: CookieClient): Promise<RoleSession[]>;
  close(): Promise<void>;
}

export async function startAdminHarness(options: AdminHarnessOptions = {}): Promise<AdminHarness> {
  const ownEmulator = options.emulator === undefined;
  const emulator =
    options.emulator ??
    (await startAwsEmulator({
      samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate, fixtureKeys.idpNext.certificate] }],
      clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
    }));
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = buildConfig(
    {
      mode: 'development',
      log: { level: 'debug' },
      server: { baseUrl, sessionSecret: ADMIN_SESSION_SECRET, rateLimit: { login: 100_000, acs: 100_000, api: 100_000 }, ...options.server },
      sp: { metadataFetch: { timeoutMs: 2000, ...options.metadataFetch } },
      idps: options.idps ?? [],
      clusters: options.clusters ?? [],
      aws: { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, timeoutMs: 5000 },
      store: { url: 'sqlite::memory:' },
      admin: { groups: [ADMIN_GROUP] },
      ...(options.audit === undefined ? {} : { audit: options.audit }),
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
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
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.auditPrune === undefined ? {} : { auditPrune: options.auditPrune }),
    ...(options.certificateExpiryTimers === undefined ? {} : { certificateExpiryTimers: options.certificateExpiryTimers }),
  });
  await service.registry.start();
  service.jobs.start();
  server.on('request', service.app);
  const acsUrl = (idpId: string) => `${baseUrl}/saml/acs/${idpId}`;

  const csrf = csrfOf;

  const samlResponseFor = async (client: CookieClient, idpId: string, opts: SignInOptions = {}): Promise<string> => {
    const start = await client.get(`/login/${idpId}`);
    assert.equal(start.status, 302, `GET /login/${idpId} redirects to the IdP`);
    const samlRequest = new URL(start.headers.get('location') ?? '').searchParams.get('SAMLRequest') ?? '';
    const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
    const requestId = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
    assert.ok(requestId !== undefined, 'the AuthnRequest has an ID');
    const { groups, json: _json, userAgent: _ua, ...overrides } = opts;
    return aSamlResponse({
      destination: acsUrl(idpId),
      recipient: acsUrl(idpId),
      inResponseTo: requestId,
      ...overrides,
      extraAttributes: { [REDSHIFT_DB_GROUPS]: groups ?? ['Analysts'], ...overrides.extraAttributes },
    });
  };

  return {
    baseUrl,
    config,
    service,
    emulator,
    logs,
    newClient: () => new CookieClient(baseUrl),
    acsUrl,
    samlResponseFor,
    async signIn(client, idpId, opts = {}) {
      const samlResponse = await samlResponseFor(client, idpId, opts);
      const res = await client.postForm(`/saml/acs/${idpId}`, { SAMLResponse: samlResponse }, {
        accept: opts.json === true ? 'application/json' : 'text/html',
        ...(opts.userAgent === undefined ? {} : { 'user-agent': opts.userAgent }),
      });
      return { res, samlResponse };
    },
    signInWithSetupToken,
    async saveFirstIdp(client, fields) {
      const res = await client.postForm('/admin/idps', { _csrf: await csrf(client), ...fields });
      const html = await res.text();
      assert.equal(res.status, 200, html.slice(0, 500));
      assert.match(html, /First IdP connection saved/);
      assert.equal((await client.get('/admin')).status, 302, 'the setup-token session has ended');
    },
    async signInAsAdmin(client, idpId, opts = {}) {
      const samlResponse = await samlResponseFor(client, idpId, { groups: [ADMIN_GROUP], ...opts });
      const res = await client.postForm(`/saml/acs/${idpId}`, { SAMLResponse: samlResponse }, { accept: 'application/json' });
      assert.equal(res.status, 303, await res.text());
      assert.equal((await client.get('/admin')).status, 200, 'an admin now');
    },
    csrf,
    async post(client, path, fields) {
      return client.postForm(path, { _csrf: await csrf(client), ...fields }, { accept: 'application/json' });
    },
    roleSessionsOf: (client) => openRoleSessions(service.store, ADMIN_SESSION_SECRET, client.cookie(SESSION_COOKIE)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      if (ownEmulator) await emulator.close();
    },
  };
}

/** A configuration-file IdP (the fixture IdP) that may make admins, as file entries do by default. */
export function fileIdpEntry(id: string): Record<string, unknown> {
  return { id, name: `File IdP ${id}`, entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] };
}

/** The session's CSRF token, read from a page it is on (any running service). */
export async function csrfOf(client: CookieClient): Promise<string> {
  const res = await client.get('/', { accept: 'text/html' });
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  assert.ok(token !== undefined, 'a signed-in page carries the CSRF token');
  return token;
}

/** Enters the setup token on /admin/setup of any running service; asserts it opened the console. */
export async function signInWithSetupToken(client: CookieClient, token: string): Promise<void> {
  const page = await client.get('/admin/setup');
  assert.equal(page.status, 200);
  const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await client.postForm('/admin/setup', { _csrf: pageCsrf, token });
  assert.equal(res.status, 303, 'the setup token opens the console');
  assert.equal(res.headers.get('location'), '/admin');
}

/** Form fields that add an IdP by explicit entity ID, SSO URL and certificate (the fixture IdP's). */
export function explicitIdpFields(id: string, certs: string[] = [fixtureKeys.idp.certificate]): Record<string, string> {
  return { action: 'save', id, name: `IdP ${id}`, entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: certs.join('\n') };
}

/** Form fields for a provisioned cluster on the emulator's cluster, for the fixture role. */
export function clusterFields(id: string, extra: Record<string, string> = {}): Record<string, string> {
  return { id, name: `Cluster ${id}`, type: 'provisioned', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, database: 'analytics', roles: TEST_ROLE_ARN, ...extra };
}

/** The code of a JSON error body, or undefined. */
export async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
