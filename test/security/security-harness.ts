// The apps the attack corpus runs against: the real service (real node-saml, real AWS SDK) on a
// loopback port with its own AWS emulator and log capture, rate limits raised so hundreds of
// attacks fit in one window, and optionally a shared SQLite file and a shared public base URL so
// two instances can stand behind one load balancer (cross-instance replay).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { createApp, type App } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createLogger } from '../../src/logger.ts';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';

export const IDP_ID = 'test';
/** A second IdP on the same service whose signing key the attacker holds. */
export const ATTACKER_IDP_ID = 'partner';
export const ATTACKER_IDP_ISSUER = 'https://partner-idp.example/metadata';
export const CLUSTER_IDENTIFIER = 'analytics-cluster';
const SESSION_SECRET = testSessionSecret();
const REQUEST_TIMEOUT_MS = 15_000;

export interface SecurityAppOptions {
  name: string;
  /** Merged over the `test` IdP entry. */
  idp?: Record<string, unknown>;
  /** `sqlite:PATH` to share a store between apps; default an in-memory one. */
  storeUrl?: string;
  /** The public URL in config (ACS URLs derive from it); default the loopback URL. */
  publicBaseUrl?: string;
  /** Configure sp.decryptionKey/Cert (the fixture SP pair). */
  decryption?: boolean;
}

/** A cookie jar over fetch, with a timeout on every request so a hang is reported, not waited out. */
export class Client {
  private readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = { ...(cookie === '' ? {} : { cookie }), ...init.headers };
    const res = await fetch(new URL(path, this.baseUrl), { method, redirect: 'manual', headers, body: init.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
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

  get(path: string): Promise<Response> {
    return this.request('GET', path, { headers: { accept: 'application/json' } });
  }

  /** A form post; `body` is sent as is when it is a string (raw bytes tests), else URL-encoded. */
  postForm(path: string, body: Record<string, string> | string): Promise<Response> {
    const encoded = typeof body === 'string' ? body : new URLSearchParams(body).toString();
    return this.request('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: encoded });
  }
}

export interface SecurityApp {
  name: string;
  /** Where this instance listens. */
  baseUrl: string;
  /** The ACS URL the IdP addresses (public base URL). */
  acsUrl: string;
  config: Config;
  service: App;
  emulator: AwsEmulator;
  logs: string[];
  newClient(): Client;
  /** GET /login/:idp with `client`; returns the AuthnRequest ID. */
  startLogin(client: Client, idpId?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSecurityApp(options: SecurityAppOptions): Promise<SecurityApp> {
  const emulator = await startAwsEmulator({
    // IAM holds the SP's private key too (AddPrivateKey), so encrypted assertions reach STS intact.
    samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate], decryptionKeys: [fixtureKeys.sp.privateKey] }],
    clusters: [{ clusterIdentifier: CLUSTER_IDENTIFIER, host: 'analytics.example.internal', port: 5439 }],
  });
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicBaseUrl = options.publicBaseUrl ?? baseUrl;
  const config = buildConfig(
    {
      mode: 'development',
      log: { level: 'debug' },
      server: { baseUrl: publicBaseUrl, sessionSecret: SESSION_SECRET, rateLimit: { acs: 100_000, login: 100_000, api: 100_000 } },
      sp: options.decryption === true ? { decryptionKey: fixtureKeys.sp.privateKey, decryptionCert: fixtureKeys.sp.certificate } : {},
      idps: [
        { id: IDP_ID, name: 'Test IdP', entityId: TEST_IDP_ISSUER, ssoUrl: 'https://idp.test.example/sso', certs: [fixtureKeys.idp.certificate], ...options.idp },
        { id: ATTACKER_IDP_ID, name: 'Partner IdP', entityId: ATTACKER_IDP_ISSUER, ssoUrl: 'https://partner-idp.example/sso', certs: [fixtureKeys.attacker.certificate] },
      ],
      clusters: [{ id: 'analytics', name: 'Analytics', clusterIdentifier: CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
      aws: { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, timeoutMs: 5000 },
      store: { url: options.storeUrl ?? 'sqlite::memory:' },
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
  const service = createApp(config, { logger: createLogger({ level: 'debug' }, sink) });
  server.on('request', service.app);

  return {
    name: options.name,
    baseUrl,
    acsUrl: `${publicBaseUrl}/saml/acs/${IDP_ID}`,
    config,
    service,
    emulator,
    logs,
    newClient: () => new Client(baseUrl),
    async startLogin(client, idpId = IDP_ID) {
      const res = await client.request('GET', `/login/${idpId}`);
      if (res.status !== 302) throw new Error(`GET /login/${idpId} answered ${res.status}, expected 302`);
      const samlRequest = new URL(res.headers.get('location') ?? '').searchParams.get('SAMLRequest');
      if (samlRequest === null) throw new Error('the IdP redirect carries no SAMLRequest');
      const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
      const id = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
      if (id === undefined) throw new Error('the AuthnRequest has no ID');
      return id;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.close();
      await emulator.close();
    },
  };
}
