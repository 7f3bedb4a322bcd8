// ACS throughput: the service's assertion consumer path against bare node-saml, on the same
// pre-signed responses, in one process. Prints responses/s for each side and their ratio; with
// --phases, where the service's time goes. Figures and flags are explained in bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import express, { Router } from 'express';
import { pino } from 'pino';
import { SAML, ValidateInResponseTo, type CacheProvider, type SamlConfig } from '@node-saml/node-saml';
import { buildConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createApp, type App } from '../../src/app.ts';
import { spSettings } from '../../src/saml/sp-settings.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/ports.ts';
import type { RedshiftApi, RoleSession, StsApi } from '../../src/aws/ports.ts';
import { signInWithSaml, type SignInDeps } from '../../src/sign-in/sign-in.ts';
import { createRoleSessionVault } from '../../src/credentials/role-session-vault.ts';
import { roleMayUseAnyCluster } from '../../src/credentials/cluster-access.ts';
import { readResponseEnvelope } from '../../src/saml/response-envelope.ts';
import { checkAssertionConditions } from '../../src/saml/assertion-conditions.ts';
import { toFederatedIdentity } from '../../src/saml/federated-identity.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';
import { coresBench } from './cores.ts';
import { instancesBench } from './instances.ts';

// ---------------------------------------------------------------------------------------------
// Settings

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: process.env.BENCH_N ?? '50' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '150' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '12' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '1,8' },
    'log-level': { type: 'string', default: process.env.BENCH_LOG_LEVEL ?? 'info' },
    'fresh-db': { type: 'boolean', default: false },
    sides: { type: 'string', default: 'http,inproc,bare,bareIrt,floor' },
    phases: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'phase-n': { type: 'string', default: '500' },
    // The spawned service with one worker and one per core (cores.ts): on, off, or only that part.
    cores: { type: 'string', default: 'on' },
    'cores-n': { type: 'string', default: '60' },
    'cores-rounds': { type: 'string', default: '6' },
    'cores-concurrency': { type: 'string', default: '8' },
    logins: { type: 'string', default: '200' },
    'cores-store': { type: 'string', default: 'sqlite' },
    'cores-cpu-prof': { type: 'string' },
    // One instance direct, behind nginx, and two behind nginx on PostgreSQL (instances.ts).
    instances: { type: 'string', default: 'on' },
    'instances-n': { type: 'string', default: '60' },
    'instances-rounds': { type: 'string', default: '5' },
  },
  strict: true,
});

const N = positiveInt(args.n, '--n');
const WARMUP = positiveInt(args.warmup, '--warmup');
const ROUNDS = positiveInt(args.rounds, '--rounds');
const CONCURRENCY = args.concurrency.split(',').map((c) => positiveInt(c, '--concurrency'));
const PHASE_N = args.phases ? positiveInt(args['phase-n'], '--phase-n') : 0;
const LOG_LEVEL = args['log-level'];

const IDP = 'bench';
const BASE_URL = 'https://sso.bench.example';
const SESSION_SECRET = testSessionSecret();
const ROLE_SESSION: RoleSession = {
  accessKeyId: 'ASIABENCHBENCHBENCH0',
  secretAccessKey: 'x'.repeat(40),
  // Real STS session tokens run to several hundred characters; the size shows in the session row.
  sessionToken: 'F'.repeat(700),
  expiration: new Date(Date.now() + 3600_000),
  assumedRoleArn: 'arn:aws:sts::123456789012:assumed-role/RedshiftAnalyst/alice',
};

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${value}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// The service under test

/** STS answers at once with a fixed session: the benchmark measures this service, not AWS. */
const instantSts: StsApi = {
  async assumeRoleWithSaml() {
    return { value: ROLE_SESSION, requestId: 'bench-request' };
  },
};

/** Redshift is not reached by a sign-in: every method refuses (a Proxy, so new methods need no stub). */
const unusedRedshift = new Proxy(
  {},
  { get: () => () => Promise.reject(new Error('Redshift is not used by the benchmark')) },
) as RedshiftApi;

function benchConfig(dbPath: string): Config {
  return buildConfig({
    mode: 'production',
    log: { level: LOG_LEVEL },
    // Behind a TLS-terminating proxy on loopback, as in production: Secure __Host- cookie, HSTS.
    // Every request comes from 127.0.0.1, so the per-client sign-in and ACS rate limits are raised
    // out of reach (the limiters still run on every request).
    server: {
      baseUrl: BASE_URL,
      sessionSecret: SESSION_SECRET,
      trustProxy: 'loopback',
      rateLimit: { login: 1_000_000_000, acs: 1_000_000_000 },
      // This part compares the service with bare node-saml on one thread, so node-saml runs on the
      // event loop here; the every-core part (cores.ts) measures the validation threads.
      validationThreads: 0,
    },
    idps: [
      {
        id: IDP,
        entityId: TEST_IDP_ISSUER,
        ssoUrl: 'https://idp.test.example/sso',
        certs: [fixtureKeys.idp.certificate],
      },
    ],
    clusters: [{ id: 'analytics', clusterIdentifier: 'bench-cluster', region: 'us-east-1', roles: [TEST_ROLE_ARN] }],
    store: { url: `sqlite:${dbPath}` },
  });
}

/** A SQLite store in a file. Unless --fresh-db, the file is created and closed first, so the store
 * opens an existing WAL database, as after any restart (this changes `synchronous`, see README). */
async function openStore(dbPath: string): Promise<Store> {
  if (!args['fresh-db']) await openSqliteStore(`sqlite:${dbPath}`).close();
  return openSqliteStore(`sqlite:${dbPath}`);
}

/** The `synchronous` level better-sqlite3 gives a WAL database here: on a new file, and reopened.
 * The store does not expose its connection, so the rule is shown on a scratch file. */
function sqliteSynchronousRule(dir: string): { fresh: number; reopened: number } {
  const path = join(dir, 'probe.db');
  const level = (db: Database.Database): number => Number(db.pragma('synchronous', { simple: true }));
  let db = new Database(path);
  db.pragma('journal_mode = WAL');
  const fresh = level(db);
  db.close();
  db = new Database(path);
  db.pragma('journal_mode = WAL');
  const reopened = level(db);
  db.close();
  return { fresh, reopened };
}

interface Service {
  app: App;
  logger: Logger;
  config: Config;
  deps: SignInDeps;
  port: number;
  server: http.Server;
}

interface ServiceOptions {
  wrapStore?: (store: Store) => Store;
  extraRouters?: Router[];
}

async function startService(dir: string, name: string, options: ServiceOptions = {}): Promise<Service> {
  const dbPath = join(dir, `${name}.db`);
  const config = benchConfig(dbPath);
  // Logs at the configured level into /dev/null: the formatting cost stays, the terminal is spared.
  const logger = createLogger(config.log, pino.destination({ dest: '/dev/null', sync: true }));
  const store = await openStore(dbPath);
  const app = createApp(config, {
    logger,
    store: options.wrapStore?.(store) ?? store,
    sts: instantSts,
    redshift: unusedRedshift,
    extraRouters: options.extraRouters,
  });
  // The same dependencies app.ts hands signInWithSaml, for the in-process variant.
  const deps: SignInDeps = {
    sp: app.sp,
    sts: instantSts,
    vault: createRoleSessionVault(config.server.sessionSecret),
    logger,
    now: () => new Date(),
    adminGroups: config.admin.groups,
    sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
    mayUseAnyCluster: (roleArn) => roleMayUseAnyCluster(config.clusters, roleArn),
  };
  const server = http.createServer({ keepAlive: true }, app.app);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { app, logger, config, deps, port: (server.address() as AddressInfo).port, server };
}

async function stopService(service: Service): Promise<void> {
  service.server.closeAllConnections();
  await new Promise<void>((resolve) => service.server.close(() => resolve()));
  await service.app.close();
}

// ---------------------------------------------------------------------------------------------
// Pre-signed responses, each answering its own stored AuthnRequest ID

interface Sample {
  requestId: string;
  /** Base64 SAMLResponse as the IdP posts it. */
  response: string;
  /** The urlencoded form body the browser posts to the ACS. */
  form: Buffer;
  /** Cookies GET /login/:idp set (the login binding on HTTPS), sent back with the form. */
  cookie: string;
}

/** GET /login/:idp as a browser would: the AuthnRequest ID (stored by the service) and the cookies. */
async function startSignIn(service: Service, agent: http.Agent): Promise<{ requestId: string; cookie: string }> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: service.port,
        path: `/login/${IDP}`,
        agent,
        headers: { 'x-forwarded-proto': 'https' },
      },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  res.resume();
  const location = res.headers.location;
  if (res.statusCode !== 302 || location === undefined)
    throw new Error(`GET /login/${IDP} answered ${res.statusCode ?? '?'}`);
  const request = new URL(location).searchParams.get('SAMLRequest');
  if (request === null) throw new Error('no SAMLRequest in the sign-in redirect');
  const requestId = /\sID="([^"]+)"/.exec(inflateRawSync(Buffer.from(request, 'base64')).toString('utf8'))?.[1];
  if (requestId === undefined) throw new Error('no ID in the AuthnRequest');
  const cookie = (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').join('; ');
  return { requestId, cookie };
}

async function signSamples(service: Service, agent: http.Agent, count: number): Promise<Sample[]> {
  const acsUrl = service.app.sp.acsUrl(IDP);
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const { requestId, cookie } = await startSignIn(service, agent);
    // Distinct random assertion IDs (the default), so the replay cache accepts each once.
    const response = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo: requestId });
    const form = Buffer.from(new URLSearchParams({ SAMLResponse: response, RelayState: '/' }).toString());
    samples.push({ requestId, response, form, cookie });
  }
  return samples;
}

/** Proves the measured path really checks InResponseTo and replay: both refusals must happen. */
async function checksAreLive(service: Service, agent: http.Agent): Promise<string> {
  const sp = service.app.sp;
  const acsUrl = sp.acsUrl(IDP);
  const refusal = async (response: string): Promise<string> => {
    try {
      await sp.validateResponse(IDP, response);
      return 'ACCEPTED';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    }
  };
  const assertionId = `_bench-replay-${randomBytes(8).toString('hex')}`;
  const first = aSamlResponse({
    destination: acsUrl,
    inResponseTo: (await startSignIn(service, agent)).requestId,
    assertionId,
  });
  const again = aSamlResponse({
    destination: acsUrl,
    inResponseTo: (await startSignIn(service, agent)).requestId,
    assertionId,
  });
  const accepted = await refusal(first);
  const reused = await refusal(first);
  const replayed = await refusal(again);
  const unknown = await refusal(aSamlResponse({ destination: acsUrl, inResponseTo: '_never-sent' }));
  if (
    accepted !== 'ACCEPTED' ||
    reused === 'ACCEPTED' ||
    replayed !== 'SAML_REPLAYED' ||
    unknown !== 'SAML_IN_RESPONSE_TO_UNKNOWN'
  ) {
    throw new Error(
      `the service's checks are not what this benchmark expects: first ${accepted}, reposted ${reused}, replayed ${replayed}, unknown request ${unknown}`,
    );
  }
  return `reposted response -> ${reused}, new request + used assertion ID -> ${replayed}, unknown InResponseTo -> ${unknown}`;
}

class SamplePool {
  private next = 0;
  constructor(private readonly samples: Sample[]) {}
  take(count: number): Sample[] {
    if (this.next + count > this.samples.length) throw new Error('sample pool exhausted');
    const batch = this.samples.slice(this.next, this.next + count);
    this.next += count;
    return batch;
  }
}

// ---------------------------------------------------------------------------------------------
// The sides

type Job = (sample: Sample) => Promise<void>;

/** POSTs the sample's form; `session` = expect the 303 to carry a new session cookie. */
function httpPostJob(service: Service, agent: http.Agent, path: string, session: boolean): Job {
  return (sample) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: service.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': sample.form.length,
            'x-forwarded-proto': 'https',
            ...(sample.cookie === '' ? {} : { cookie: sample.cookie }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const cookie = res.headers['set-cookie']?.some((c) => c.startsWith('__Host-redshift-sso=')) ?? false;
            if (res.statusCode === 303 && res.headers.location === '/' && cookie === session) resolve();
            else
              reject(
                new Error(
                  `ACS answered ${res.statusCode ?? '?'} (session cookie: ${cookie}): ${Buffer.concat(chunks).toString('utf8').slice(0, 400)}`,
                ),
              );
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(sample.form);
    });
}

/** signInWithSaml (validation, InResponseTo, replay, fake STS, admin) + the session row the ACS writes. */
function inProcessJob(service: Service): Job {
  const ttlMs = service.config.server.sessionTtlSeconds * 1000;
  return async (sample) => {
    const sessionId = randomBytes(24).toString('base64url');
    const user = await signInWithSaml(
      service.deps,
      await service.app.sp.validateResponse(IDP, sample.response),
      sessionId,
    );
    const expires = new Date(Date.now() + ttlMs);
    // The shape express-session + Passport store: the cookie settings and passport.user.
    const data = JSON.stringify({
      cookie: {
        originalMaxAge: ttlMs,
        expires: expires.toISOString(),
        secure: true,
        httpOnly: true,
        path: '/',
        sameSite: 'lax',
      },
      passport: { user },
    });
    await service.app.store.setSession(sessionId, data, expires);
  };
}

const NOOP_ACS_PATH = '/saml/acs/bench-noop';

/** For the HTTP floor: the ACS's body parser and redirect, behind the same middleware (the ACS rate
 * limiter included: same path prefix), with no SAML and no session. */
function noopAcsRouter(): Router {
  const router = Router();
  router.post(
    NOOP_ACS_PATH,
    express.urlencoded({ extended: false, limit: '150kb', parameterLimit: 10 }),
    (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.SAMLResponse !== 'string') throw new Error('no SAMLResponse in the posted form');
      res.redirect(303, '/');
    },
  );
  return router;
}

/** The bare node-saml options, taken from the same resolved IdP connection the service uses. */
function bareSamlOptions(service: Service): SamlConfig {
  const idp = service.app.sp.idp(IDP);
  return {
    callbackUrl: service.app.sp.acsUrl(IDP),
    entryPoint: idp.ssoUrl,
    issuer: `${BASE_URL}/saml/metadata`,
    idpIssuer: idp.entityId,
    idpCert: idp.certs,
    audience: false, // as in the service, which checks audiences itself
    wantAssertionsSigned: idp.wantAssertionsSigned,
    wantAuthnResponseSigned: idp.wantResponseSigned,
    acceptedClockSkewMs: idp.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.never,
  };
}

function bareJob(saml: SAML): Job {
  return async (sample) => {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: sample.response });
    if (profile === null) throw new Error('bare node-saml returned no profile');
  };
}

/** Bare node-saml with InResponseTo checked against an in-memory cache (refilled before each batch). */
function memoryRequestCache(): CacheProvider & { fill(samples: Sample[]): void } {
  const ids = new Map<string, string>();
  return {
    fill(samples) {
      const at = new Date().toISOString();
      for (const s of samples) ids.set(s.requestId, at);
    },
    saveAsync: async (key, value) => {
      ids.set(key, value);
      return { createdAt: Date.now(), value };
    },
    getAsync: async (key) => ids.get(key) ?? null,
    removeAsync: async (key) => {
      if (key === null) return null;
      const value = ids.get(key) ?? null;
      ids.delete(key);
      return value;
    },
  };
}

async function runBatch(samples: Sample[], concurrency: number, job: Job): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < samples.length) {
      const sample = samples[next++] as Sample;
      await job(sample);
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(concurrency, samples.length) }, worker));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

// ---------------------------------------------------------------------------------------------
// Phase breakdown (--phases): the in-process path on a second, instrumented service

type PhaseTimes = Map<string, { ns: bigint; calls: number }>;

function addTime(times: PhaseTimes, name: string, ns: bigint): void {
  const t = times.get(name) ?? { ns: 0n, calls: 0 };
  t.ns += ns;
  t.calls += 1;
  times.set(name, t);
}

/** Times each store call. The SQLite store does its work synchronously, before its promise returns. */
function timedStore(store: Store, times: PhaseTimes): Store {
  const timed = {} as Record<string, unknown>;
  for (const name of Object.keys(store) as (keyof Store)[]) {
    const fn = store[name] as (...a: unknown[]) => unknown;
    timed[name] = (...a: unknown[]) => {
      const start = process.hrtime.bigint();
      try {
        return fn(...a);
      } finally {
        addTime(times, `store.${name}`, process.hrtime.bigint() - start);
      }
    };
  }
  return timed as unknown as Store;
}

async function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): Promise<bigint> {
  const start = process.hrtime.bigint();
  for (const item of items) await fn(item);
  return process.hrtime.bigint() - start;
}

async function phaseBreakdown(dir: string, bare: SAML): Promise<void> {
  const times: PhaseTimes = new Map();
  const service = await startService(dir, 'phases', {
    wrapStore: (s) => timedStore(s, times),
    extraRouters: [noopAcsRouter()],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const samples = await signSamples(service, agent, PHASE_N + WARMUP);
    const warm = samples.slice(0, WARMUP);
    const measured = samples.slice(WARMUP);
    const acs = httpPostJob(service, agent, `/saml/acs/${IDP}`, true);
    const noop = httpPostJob(service, agent, NOOP_ACS_PATH, false);
    await runBatch(warm, 1, acs);
    await runBatch(warm, 1, noop);
    times.clear();

    const proto = SAML.prototype as unknown as { validatePostResponseAsync: SAML['validatePostResponseAsync'] };
    const original = proto.validatePostResponseAsync;
    proto.validatePostResponseAsync = async function (this: SAML, container) {
      const start = process.hrtime.bigint();
      try {
        return await original.call(this, container);
      } finally {
        addTime(times, 'node-saml', process.hrtime.bigint() - start);
      }
    };
    let total: number;
    try {
      total = await runBatch(measured, 1, acs);
    } finally {
      proto.validatePostResponseAsync = original;
    }
    const acsTimes: PhaseTimes = new Map([...times].map(([name, t]) => [name, { ...t }]));
    const floorSeconds = await runBatch(measured, 1, noop);

    // Pure steps, timed on their own over the same responses (they are not separable in place).
    const idp = service.app.sp.idp(IDP);
    const acsUrl = service.app.sp.acsUrl(IDP);
    const { audiences } = spSettings(service.config);
    const profiles = await Promise.all(
      measured.map(async (s) => (await bare.validatePostResponseAsync({ SAMLResponse: s.response })).profile),
    );
    const envelopeNs = await timeEach(measured, (s) => readResponseEnvelope(s.response));
    const conditionsNs = await timeEach(profiles, (p) =>
      checkAssertionConditions(p?.getAssertion?.(), {
        acsUrl,
        audiences,
        now: new Date(),
        skewMs: idp.clockSkewSeconds * 1000,
      }),
    );
    const identityNs = await timeEach(profiles, (p) =>
      toFederatedIdentity(
        {
          idpId: IDP,
          issuer: p?.issuer ?? '',
          nameId: p?.nameID ?? '',
          nameIdFormat: p?.nameIDFormat,
          sessionIndex: p?.sessionIndex,
        },
        (p?.attributes ?? {}) as Record<string, unknown>,
        idp.attributes,
      ),
    );
    const sealNs = await timeEach(measured, () =>
      service.deps.vault.seal(ROLE_SESSION, { sessionId: 'bench-session', idpId: IDP, nameId: 'alice@example.com' }),
    );
    const logNs = await timeEach(measured, () =>
      service.logger.info(
        {
          idpId: IDP,
          nameId: 'alice@example.com',
          dbUser: 'alice',
          roles: [{ roleArn: TEST_ROLE_ARN, status: 'ready' }],
          admin: false,
        },
        'signed in',
      ),
    );

    const n = measured.length;
    const per = (ns: bigint | number): number => Number(ns) / 1e6 / n;
    const storeCalls = [...acsTimes].filter(([name]) => name.startsWith('store.'));
    // node-saml reaches the request-ID cache itself; those calls are listed with the store's.
    const requestCacheNs = storeCalls
      .filter(([name]) => /(get|remove)RequestId$/.test(name))
      .reduce((sum, [, t]) => sum + t.ns, 0n);
    const rows: [string, number][] = [
      [
        'node-saml validatePostResponseAsync (without its request-ID cache calls)',
        per((acsTimes.get('node-saml')?.ns ?? 0n) - requestCacheNs),
      ],
      ...storeCalls
        .sort((x, y) => Number(y[1].ns - x[1].ns))
        .map(([name, t]): [string, number] => [
          `SQLite ${name.slice(6)} (${(t.calls / n).toFixed(1)} per response)`,
          per(t.ns),
        ]),
      ['readResponseEnvelope (a second xmldom parse of the response) *', per(envelopeNs)],
      ['checkAssertionConditions *', per(conditionsNs)],
      ['toFederatedIdentity *', per(identityNs)],
      ['role session seal (AES-GCM), STS fake *', per(sealNs)],
      [`"signed in" log line (level ${LOG_LEVEL}) *`, per(logNs)],
      ['HTTP floor: the same POST to a no-op route (measured after) **', (floorSeconds * 1000) / n],
    ];
    const totalMs = (total * 1000) / n;
    const accounted = rows.reduce((sum, [, ms]) => sum + ms, 0);
    rows.push(['rest: session regenerate + cookies, Passport, audit/glue, GC, await hops', totalMs - accounted]);

    console.log(
      `\nPhase breakdown: HTTP POST /saml/acs/${IDP}, concurrency 1, ${n} responses, on an instrumented copy of the service`,
    );
    console.log('(* timed on its own over the same responses; ** a separate batch; the rest timed in place)\n');
    const width = Math.max(...rows.map(([name]) => name.length));
    console.log(`${'phase'.padEnd(width)}  ms/response  share`);
    for (const [name, ms] of rows)
      console.log(
        `${name.padEnd(width)}  ${ms.toFixed(3).padStart(11)}  ${((ms / totalMs) * 100).toFixed(1).padStart(5)}%`,
      );
    console.log(`${'total (HTTP ACS, instrumented)'.padEnd(width)}  ${totalMs.toFixed(3).padStart(11)}  100.0%`);
  } finally {
    agent.destroy();
    await stopService(service);
  }
}

/** --cpu-prof DIR: a V8 CPU profile of the measured rounds only (no signing, no warm-up). */
async function startProfiler(): Promise<Session | undefined> {
  if (args['cpu-prof'] === undefined) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

async function stopProfiler(session: Session | undefined, sides: Set<Side>): Promise<void> {
  if (session === undefined || args['cpu-prof'] === undefined) return;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(args['cpu-prof'], { recursive: true });
  const file = join(args['cpu-prof'], `acs-${[...sides].join('+')}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`CPU profile of the measured rounds: ${file}`);
}

// ---------------------------------------------------------------------------------------------
// Main

interface Tally {
  responses: number;
  seconds: number;
  /** responses/s of each round, for the spread column. */
  rates: number[];
}

const SIDES = {
  http: 'service: HTTP POST /saml/acs/:idp (full Express stack)',
  inproc: 'service: signInWithSaml + session write (no HTTP)',
  bare: 'bare node-saml validatePostResponseAsync (InResponseTo never)',
  bareIrt: 'bare node-saml (InResponseTo always, in-memory cache)',
  floor: 'HTTP floor: same form to a no-op route (no SAML, no session)',
} as const;
type Side = keyof typeof SIDES;
const ALL_SIDES = Object.keys(SIDES) as Side[];

function selectedSides(): Set<Side> {
  const sides = new Set<Side>();
  for (const name of args.sides.split(',')) {
    if (!(name in SIDES)) throw new Error(`--sides: unknown side "${name}" (${Object.keys(SIDES).join(', ')})`);
    sides.add(name as Side);
  }
  return sides;
}

async function main(): Promise<void> {
  if (!['on', 'off', 'only'].includes(args.cores)) throw new Error('--cores: expected on, off or only');
  if (!['on', 'off', 'only'].includes(args.instances)) throw new Error('--instances: expected on, off or only');
  if (!['sqlite', 'postgres'].includes(args['cores-store']))
    throw new Error('--cores-store: expected sqlite or postgres');
  // The spawned services say they listen in an info line: those parts log at info at least.
  const spawnedLogLevel = ['silent', 'fatal', 'error', 'warn'].includes(LOG_LEVEL) ? 'info' : LOG_LEVEL;
  if (args.instances === 'only') return instances(spawnedLogLevel);
  if (args.cores !== 'only') await inProcessBench();
  if (args.cores !== 'off') await cores(spawnedLogLevel);
  if (args.instances === 'on' && args.cores !== 'only') await instances(spawnedLogLevel);
}

async function instances(logLevel: string): Promise<void> {
  const started = process.hrtime.bigint();
  await instancesBench({
    n: positiveInt(args['instances-n'], '--instances-n'),
    rounds: positiveInt(args['instances-rounds'], '--instances-rounds'),
    warmup: Math.min(WARMUP, 100),
    concurrency: positiveInt(args['cores-concurrency'], '--cores-concurrency'),
    logLevel,
  });
  console.log(`\nrun time of the instances part ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

async function cores(logLevel: string): Promise<void> {
  const started = process.hrtime.bigint();
  await coresBench({
    n: positiveInt(args['cores-n'], '--cores-n'),
    rounds: positiveInt(args['cores-rounds'], '--cores-rounds'),
    warmup: Math.min(WARMUP, 100),
    concurrency: positiveInt(args['cores-concurrency'], '--cores-concurrency'),
    logins: positiveInt(args.logins, '--logins'),
    logLevel,
    store: args['cores-store'] as 'sqlite' | 'postgres',
    cpuProfDir: args['cores-cpu-prof'],
  });
  console.log(`\nrun time of the every-core part ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

async function inProcessBench(): Promise<void> {
  const sides = selectedSides();
  const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-bench-'));
  const started = process.hrtime.bigint();
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(...CONCURRENCY) });
  const services: Service[] = [];
  try {
    const service = await startService(dir, 'service');
    services.push(service);
    // The floor runs on a second app, so the measured one is exactly what production builds.
    const floor = sides.has('floor')
      ? await startService(dir, 'floor', { extraRouters: [noopAcsRouter()] })
      : undefined;
    if (floor !== undefined) services.push(floor);
    // The service sides consume a response each (replay cache); the bare sides reuse the HTTP side's.
    const consumers = (sides.has('http') || !sides.has('inproc') ? 1 : 0) + (sides.has('inproc') ? 1 : 0);
    const total = consumers * (WARMUP + ROUNDS * CONCURRENCY.length * N);
    console.log(
      `redshift-sso ACS benchmark: node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'})`,
    );
    const sync = sqliteSynchronousRule(dir);
    const level = args['fresh-db']
      ? `${sync.fresh} (new file, --fresh-db)`
      : `${sync.reopened} (existing file, as after a restart)`;
    console.log(`SQLite store: file in ${tmpdir()}, WAL, synchronous=${level}; 2=FULL, 1=NORMAL`);
    console.log(
      `service log level: ${LOG_LEVEL} (to /dev/null); STS: in-process fake; ACS rate limit raised (one client IP), limiter still runs`,
    );
    const size = aSamlResponse({ destination: service.app.sp.acsUrl(IDP), inResponseTo: '_size-probe' }).length;
    console.log(
      `responses: signed assertion (RSA-SHA256, exclusive c14n), unsigned Response, ${size} base64 characters`,
    );
    const idp = service.app.sp.idp(IDP);
    console.log(
      `node-saml options on both sides: same IdP cert and issuer, wantAssertionsSigned ${idp.wantAssertionsSigned}, audience false, ` +
        `acceptedClockSkewMs ${idp.clockSkewSeconds * 1000}; validateInResponseTo: service always (SQLite cache), bare never`,
    );
    process.stdout.write(
      `signing ${total} responses, each answering its own stored AuthnRequest ID (not measured)... `,
    );
    const signStart = process.hrtime.bigint();
    const pool = new SamplePool(await signSamples(service, agent, total));
    console.log(`${(Number(process.hrtime.bigint() - signStart) / 1e9).toFixed(1)} s`);

    console.log(`checks live: ${await checksAreLive(service, agent)}`);
    const bare = new SAML(bareSamlOptions(service));
    const irtCache = memoryRequestCache();
    const bareIrt = new SAML({
      ...bareSamlOptions(service),
      validateInResponseTo: ValidateInResponseTo.always,
      cacheProvider: irtCache,
      requestIdExpirationPeriodMs: service.config.sp.requestTtlSeconds * 1000,
    });
    const jobs: Record<Side, Job> = {
      http: httpPostJob(service, agent, `/saml/acs/${IDP}`, true),
      inproc: inProcessJob(service),
      bare: bareJob(bare),
      bareIrt: bareJob(bareIrt),
      floor: floor === undefined ? () => Promise.resolve() : httpPostJob(floor, agent, NOOP_ACS_PATH, false),
    };
    const c0 = CONCURRENCY[0] ?? 1;
    // The in-memory InResponseTo variant is a cross-check of node-saml's own cost: first concurrency only.
    const runs = (side: Side, concurrency: number): boolean =>
      sides.has(side) && (side !== 'bareIrt' || concurrency === c0);

    // Warm-up: JIT, SQLite page cache, keep-alive sockets.
    const warmShared = pool.take(WARMUP);
    const warmInproc = sides.has('inproc') && consumers === 2 ? pool.take(WARMUP) : warmShared;
    for (const side of sides) {
      if (side === 'bareIrt') irtCache.fill(warmShared);
      await runBatch(side === 'inproc' ? warmInproc : warmShared, 1, jobs[side]);
    }

    const tallies = new Map<string, Tally>();
    const profiler = await startProfiler();
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCY) {
        const shared = pool.take(N);
        const inprocBatch = sides.has('inproc') && consumers === 2 ? pool.take(N) : shared;
        // The bare sides validate the very responses the HTTP side consumes (they keep no replay
        // state, so the order does not matter). Short batches and an order that rotates every
        // round spread drift and background load evenly over the sides.
        const active = ALL_SIDES.filter((side) => runs(side, concurrency));
        const order = active.map((_, i) => active[(i + round) % active.length] as Side);
        for (const side of order) {
          const batch = side === 'inproc' ? inprocBatch : shared;
          if (side === 'bareIrt') irtCache.fill(batch);
          const seconds = await runBatch(batch, concurrency, jobs[side]);
          const key = `${side}@${concurrency}`;
          const t = tallies.get(key) ?? { responses: 0, seconds: 0, rates: [] };
          tallies.set(key, {
            responses: t.responses + batch.length,
            seconds: t.seconds + seconds,
            rates: [...t.rates, batch.length / seconds],
          });
        }
      }
    }

    await stopProfiler(profiler, sides);
    printTable(tallies);
    const rate = (side: Side, c: number): number => {
      const t = tallies.get(`${side}@${c}`);
      return t === undefined ? NaN : t.responses / t.seconds;
    };
    const ratio = (a: Side, b: Side, c: number): string => (rate(a, c) / rate(b, c)).toFixed(2);
    // Per-round ratios pair batches run moments apart, so they resist background load better.
    const roundRatios = (a: Side, b: Side, c: number): string => {
      const ra = tallies.get(`${a}@${c}`)?.rates ?? [];
      const rb = tallies.get(`${b}@${c}`)?.rates ?? [];
      const ratios = ra.map((r, i) => r / (rb[i] ?? NaN)).sort((x, y) => x - y);
      const median =
        ratios.length % 2 === 1
          ? (ratios[(ratios.length - 1) / 2] ?? NaN)
          : ((ratios[ratios.length / 2 - 1] ?? NaN) + (ratios[ratios.length / 2] ?? NaN)) / 2;
      return `median of ${ratios.length} per-round ratios ${median.toFixed(2)}, range ${(ratios[0] ?? NaN).toFixed(2)}-${(ratios[ratios.length - 1] ?? NaN).toFixed(2)}`;
    };
    const ms = (side: Side, c: number): number => 1000 / rate(side, c);
    const ran = (side: Side, c: number): boolean => tallies.has(`${side}@${c}`);
    console.log('');
    if (ran('http', c0) && ran('bare', c0)) {
      console.log(
        `ratio (service / bare node-saml): ${ratio('http', 'bare', c0)}   [service = HTTP ACS, bare = InResponseTo never, concurrency ${c0}]`,
      );
    }
    for (const c of CONCURRENCY) {
      const lines: string[] = [];
      if (ran('http', c) && ran('bare', c))
        lines.push(`HTTP ACS / bare ${ratio('http', 'bare', c)} (${roundRatios('http', 'bare', c)})`);
      if (ran('inproc', c) && ran('bare', c))
        lines.push(`in-process / bare ${ratio('inproc', 'bare', c)} (${roundRatios('inproc', 'bare', c)})`);
      if (ran('http', c) && ran('bareIrt', c))
        lines.push(`HTTP ACS / bare with InResponseTo cache ${ratio('http', 'bareIrt', c)}`);
      const costs: string[] = [];
      if (ran('inproc', c) && ran('bare', c))
        costs.push(`in-process - bare ${signed(ms('inproc', c) - ms('bare', c))}`);
      if (ran('http', c) && ran('inproc', c))
        costs.push(`HTTP ACS - in-process ${signed(ms('http', c) - ms('inproc', c))}`);
      if (ran('floor', c)) costs.push(`no-op route (HTTP floor) ${ms('floor', c).toFixed(3)}`);
      if (lines.length > 0) console.log(`  concurrency ${c}:\n    ${lines.join('\n    ')}`);
      if (costs.length > 0) console.log(`    ms/response: ${costs.join('; ')}`);
    }

    if (args.phases) await phaseBreakdown(dir, bare);
    console.log(`\ntotal run time ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  } finally {
    agent.destroy();
    // Settled, not awaited in turn: a failed close must not leave the temporary directory behind.
    await Promise.allSettled(services.map(stopService));
    rmSync(dir, { recursive: true, force: true });
  }
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${ms.toFixed(3)}`;
}

function printTable(tallies: Map<string, Tally>): void {
  const rows = [...tallies].map(([key, t]) => {
    const [side, c] = key.split('@') as [Side, string];
    const mean = t.rates.reduce((a, b) => a + b, 0) / t.rates.length;
    const sd = Math.sqrt(t.rates.reduce((a, r) => a + (r - mean) ** 2, 0) / Math.max(1, t.rates.length - 1));
    return [
      SIDES[side],
      c,
      String(t.responses),
      t.seconds.toFixed(3),
      (t.responses / t.seconds).toFixed(0),
      ((t.seconds * 1000) / t.responses).toFixed(3),
      `${((100 * sd) / mean).toFixed(1)}%`,
    ];
  });
  rows.sort(
    (a, b) =>
      Number(a[1]) - Number(b[1]) ||
      Object.values(SIDES).indexOf(a[0] as never) - Object.values(SIDES).indexOf(b[0] as never),
  );
  const head = ['side', 'conc', 'responses', 'seconds', 'responses/s', 'ms/response', 'sd/round'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
