// The service as started in production (`src/main.ts`, a configuration file, a SQLite store file)
// with one worker and with one per core, against bare node-saml on one core, on the same kind of
// pre-signed responses: ACS throughput, event-loop lag and /healthz latency while the ACS is
// saturated, and the full login (ACS -> credentials) through the AWS emulator. See README.md.
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { authnRequestIdOf } from '../support/http-flow.ts';
import {
  aSamlResponse,
  fixtureKeys,
  TEST_IDP_ISSUER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../support/sign-response.ts';
import { fixtureIdp, freePort, ServiceHome, type SpawnedService } from '../support/spawn-service.ts';
import { testSessionSecret } from '../support/test-secret.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';

export interface CoresOptions {
  n: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  logins: number;
  logLevel: string;
  /** sqlite (a file per copy) or postgres (a fresh database per copy on the machine's server, dropped after). */
  store: 'sqlite' | 'postgres';
  /** When set, each spawned process writes a V8 CPU profile here on exit (`--cpu-prof`). */
  cpuProfDir?: string;
}

export const IDP = 'bench';
const AWS_SAML_URL = 'https://signin.aws.amazon.com/saml';

interface Spawned {
  service: SpawnedService;
  workers: number;
  metricsPort: number;
}

export interface Sample {
  response: string;
  form: Buffer;
  cookie: string;
}

interface SpawnOptions {
  logLevel: string;
  storeUrl: string;
  cpuProfDir?: string;
  /** server.validationThreads; unset: the configuration's default. */
  validationThreads?: number;
}

async function spawn(
  home: ServiceHome,
  name: string,
  workers: number,
  aws: { sts: string; redshift: string },
  o: SpawnOptions,
): Promise<Spawned> {
  const metricsPort = await freePort();
  const service = await home.spawn({
    file: `${name}.yml`,
    config: {
      ...benchConfig(o.logLevel, o.storeUrl),
      server: {
        sessionSecret: testSessionSecret(),
        workers,
        ...(o.validationThreads === undefined ? {} : { validationThreads: o.validationThreads }),
        rateLimit: BENCH_RATE_LIMIT,
      },
      metrics: { port: metricsPort },
    },
    awsEmulator: { url: aws.redshift, sts: aws.sts, region: 'us-east-1' },
    timeoutMs: 60_000,
    // Each process (workers included) writes its own profile when it exits.
    nodeFlags:
      o.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, '--cpu-prof-interval=500'],
    allWorkers: workers > 1,
  });
  return { service, workers, metricsPort };
}

/** Rate limits out of reach of one client IP that sends everything (the limiters still run). */
export const BENCH_RATE_LIMIT = { login: 1000000000, acs: 1000000000, api: 1000000000 };

/** The bench configuration's fixed part: production mode, the fixture IdP as `bench`, one cluster. */
export function benchConfig(logLevel: string, storeUrl: string) {
  return {
    mode: 'production',
    log: { level: logLevel },
    idps: [fixtureIdp.entry({ id: IDP, name: undefined })],
    clusters: [
      fixtureIdp.cluster({
        id: 'analytics',
        clusterIdentifier: 'bench-cluster',
        region: 'us-east-1',
        database: undefined,
      }),
    ],
    store: { url: storeUrl },
  };
}

export function request(
  port: number,
  path: string,
  options: {
    method?: string;
    agent?: http.Agent | false;
    headers?: http.OutgoingHttpHeaders;
    body?: Buffer | string;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent: options.agent,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const cookiesOf = (headers: http.IncomingHttpHeaders): string =>
  (headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '').join('; ');

async function signSamples(s: Spawned, count: number, agent: http.Agent): Promise<Sample[]> {
  return signSamplesAt(s.service.port, `${s.service.baseUrl}/saml/acs/${IDP}`, count, agent);
}

/** `count` responses, each answering a fresh AuthnRequest started with GET /login on `port`, for `acsUrl`. */
export async function signSamplesAt(port: number, acsUrl: string, count: number, agent: http.Agent): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(port, `/login/${IDP}`, { agent });
    if (res.status !== 302) throw new Error(`GET /login answered ${res.status}`);
    const inResponseTo = authnRequestIdOf(String(res.headers.location));
    const response = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo });
    samples.push({
      response,
      form: Buffer.from(new URLSearchParams({ SAMLResponse: response, RelayState: '/' }).toString()),
      cookie: cookiesOf(res.headers),
    });
  }
  return samples;
}

export async function postAcs(port: number, sample: Sample, agent: http.Agent): Promise<string> {
  const res = await request(port, `/saml/acs/${IDP}`, {
    method: 'POST',
    agent,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': sample.form.length,
      cookie: sample.cookie,
    },
    body: sample.form,
  });
  if (res.status !== 303) throw new Error(`ACS answered ${res.status}: ${res.body.slice(0, 300)}`);
  return cookiesOf(res.headers);
}

export async function runBatch<T>(
  items: T[],
  concurrency: number,
  job: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await job(items[next++] as T);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** prom-client's default eventLoopMonitoringPrecision (src/metrics.ts keeps the default). */
const LAG_SAMPLING_MS = 10;

interface Scrape {
  /** The worst worker's event-loop lag p99 since the previous scrape (prom-client resets it on every scrape), ms. */
  lagMs: number;
  /** CPU seconds used so far by the serving processes (every worker; the primary left out). */
  cpuSeconds: number;
}

/** One scrape holds every worker: the primary sums the registries; process metrics carry worker="<id>". */
async function scrape(s: Spawned): Promise<Scrape> {
  const res = await request(s.metricsPort, '/metrics', { agent: false });
  const series = (name: string) =>
    [...res.body.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))]
      .filter((m) => m[1]?.includes('worker="primary"') !== true)
      .map((m) => Number(m[2]))
      .filter(Number.isFinite);
  return {
    // prom-client samples the loop with a 10 ms timer and records the whole interval between two
    // ticks, so an idle loop reads 10 ms: the lag is what exceeds the interval.
    lagMs: Math.max(0, Math.max(0, ...series('nodejs_eventloop_lag_p99_seconds')) * 1000 - LAG_SAMPLING_MS),
    cpuSeconds: series('process_cpu_seconds_total').reduce((a, b) => a + b, 0),
  };
}

/** /healthz on a new connection every 10 ms until `done`; the latencies in ms. */
async function probeHealth(port: number, done: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  while (!done()) {
    const start = process.hrtime.bigint();
    const res = await request(port, '/healthz', { agent: false });
    if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return latencies;
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** An AssumeRoleWithSAML answer recorded from the emulator once, replayed at no cost: AWS that answers at once. */
export async function instantSts(emulator: AwsEmulator): Promise<http.Server> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithSAML',
    Version: '2011-06-15',
    RoleArn: TEST_ROLE_ARN,
    PrincipalArn: TEST_PRINCIPAL_ARN,
    SAMLAssertion: aSamlResponse({ recipient: AWS_SAML_URL, destination: AWS_SAML_URL }),
  });
  const recorded = await fetch(emulator.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = await recorded.text();
  if (recorded.status !== 200)
    throw new Error(`emulator AssumeRoleWithSAML answered ${recorded.status}: ${body.slice(0, 300)}`);
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': recorded.headers.get('content-type') ?? 'text/xml' }).end(body),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface Tally {
  responses: number;
  seconds: number;
  lags: number[];
  health: number[];
  /** CPU seconds the service's workers, and this (client) process, used during the batches. */
  serviceCpu: number;
  clientCpu: number;
}

export async function coresBench(options: CoresOptions): Promise<void> {
  const cores = availableParallelism();
  const home = ServiceHome.create('bench-cores');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const emulator = await fixtureIdp.emulator({
    clusters: [{ clusterIdentifier: 'bench-cluster', host: 'warehouse.example.internal', port: 5439 }],
  });
  const spawned: Spawned[] = [];
  const databases: TestDatabase[] = [];
  let sts: http.Server | undefined;
  try {
    sts = await instantSts(emulator);
    const stsUrl = `http://127.0.0.1:${(sts.address() as { port: number }).port}`;
    console.log(
      `\n== Every core: src/main.ts spawned (config file, ${options.store} store, log level ${options.logLevel} to a pipe), ${cores} core(s) ==`,
    );
    const storeUrl = async (name: string) => {
      if (options.store === 'sqlite') return home.sqliteUrl(name);
      const database = await createTestDatabase(`redshift_sso_bench_${name}`);
      databases.push(database);
      return database.url;
    };
    const o = async (name: string): Promise<SpawnOptions> => ({
      logLevel: options.logLevel,
      storeUrl: await storeUrl(name),
      cpuProfDir: options.cpuProfDir,
    });
    // Every database first: a spawn that fails while another database is still being created
    // would otherwise reject before Promise.all listens, and end the process without the clean-up.
    const [oOne, oLoop, oAll, oFull] = [await o('one'), await o('loop'), await o('all'), await o('full')];
    const [one, loop, all, full] = await Promise.all([
      spawn(home, 'one', 1, { sts: stsUrl, redshift: emulator.url }, oOne),
      spawn(home, 'loop', 1, { sts: stsUrl, redshift: emulator.url }, { ...oLoop, validationThreads: 0 }),
      spawn(home, 'all', cores, { sts: stsUrl, redshift: emulator.url }, oAll),
      spawn(home, 'full', 1, { sts: emulator.url, redshift: emulator.url }, oFull),
    ]);
    spawned.push(one, loop, all, full);
    const perService = options.warmup + options.rounds * options.n;
    const [oneSamples, loopSamples, allSamples] = [
      await signSamples(one, perService, agent),
      await signSamples(loop, perService, agent),
      await signSamples(all, perService, agent),
    ];
    const bare = new SAML({
      callbackUrl: `${one.service.baseUrl}/saml/acs/${IDP}`,
      issuer: `${one.service.baseUrl}/saml/metadata`,
      idpIssuer: TEST_IDP_ISSUER,
      idpCert: fixtureKeys.idp.certificate,
      audience: false,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: 60_000,
      validateInResponseTo: ValidateInResponseTo.never,
    });
    const bareJob = async (sample: Sample) => {
      if ((await bare.validatePostResponseAsync({ SAMLResponse: sample.response })).profile === null)
        throw new Error('no profile');
    };
    const sides = {
      bare: {
        label: 'bare node-saml validatePostResponseAsync, one core',
        run: (batch: Sample[]) => runBatch(batch, 1, bareJob),
      },
      one: { label: 'service, 1 worker: HTTP POST /saml/acs', spawned: one, samples: oneSamples },
      loop: { label: '  the same, node-saml on the event loop', spawned: loop, samples: loopSamples },
      all: { label: `service, ${cores} workers: HTTP POST /saml/acs`, spawned: all, samples: allSamples },
    };
    const acsBatch = (s: Spawned, batch: Sample[]) =>
      runBatch(batch, options.concurrency, (sample) => postAcs(s.service.port, sample, agent));
    // Warm-up (not measured): JIT in every worker, SQLite page cache, keep-alive sockets.
    await runBatch(oneSamples.slice(0, options.warmup), 1, bareJob);
    await acsBatch(one, oneSamples.slice(0, options.warmup));
    await acsBatch(loop, loopSamples.slice(0, options.warmup));
    await acsBatch(all, allSamples.slice(0, options.warmup));

    const tallies = new Map<string, Tally>();
    const order = ['bare', 'one', 'loop', 'all'] as const;
    for (let round = 0; round < options.rounds; round++) {
      const from = options.warmup + round * options.n;
      for (let i = 0; i < order.length; i++) {
        const side = order[(i + round) % order.length] ?? 'bare';
        const t = tallies.get(side) ?? { responses: 0, seconds: 0, lags: [], health: [], serviceCpu: 0, clientCpu: 0 };
        tallies.set(side, t);
        if (side === 'bare') {
          const cpuBefore = process.cpuUsage();
          t.seconds += await sides.bare.run(oneSamples.slice(from, from + options.n));
          const cpu = process.cpuUsage(cpuBefore);
          t.clientCpu += (cpu.user + cpu.system) / 1e6;
          t.responses += options.n;
          continue;
        }
        const { spawned: s, samples } = sides[side];
        const before = await scrape(s); // also resets every worker's lag histogram
        const clientBefore = process.cpuUsage();
        let done = false;
        const probing = probeHealth(s.service.port, () => done);
        t.seconds += await acsBatch(s, samples.slice(from, from + options.n));
        done = true;
        t.health.push(...(await probing));
        const after = await scrape(s);
        const client = process.cpuUsage(clientBefore);
        t.lags.push(after.lagMs);
        t.serviceCpu += after.cpuSeconds - before.cpuSeconds;
        t.clientCpu += (client.user + client.system) / 1e6;
        t.responses += options.n;
      }
    }
    printCores(tallies, sides, options);
    await fullLogin(full, options.logins, agent);
  } catch (err) {
    // What the services said last: a crash or a refused request explains a failed batch.
    for (const s of spawned)
      console.error(`--- ${s.workers} worker(s), last output:\n${s.service.output().slice(-3000)}`);
    throw err;
  } finally {
    agent.destroy();
    await home.close();
    await new Promise((resolve) => (sts === undefined ? resolve(undefined) : sts.close(resolve)));
    await emulator.close();
    await Promise.allSettled(databases.map((d) => d.drop()));
  }
}

function printCores(
  tallies: Map<string, Tally>,
  sides: Record<'bare' | 'one' | 'loop' | 'all', { label: string }>,
  options: CoresOptions,
): void {
  const rate = (side: string): number => {
    const t = tallies.get(side);
    return t === undefined ? NaN : t.responses / t.seconds;
  };
  console.log(
    `ACS over HTTP at concurrency ${options.concurrency} (client in this process); bare node-saml at concurrency 1; ${options.rounds} rounds of ${options.n}, order rotating`,
  );
  for (const side of ['bare', 'one', 'loop', 'all'] as const) {
    const t = tallies.get(side);
    const saturated =
      t === undefined || t.lags.length === 0
        ? ''
        : `  event-loop lag p99 ${percentile(t.lags, 50).toFixed(1)} ms beyond the 10 ms sampling tick (median of batches; worst ${Math.max(...t.lags).toFixed(1)}), /healthz p99 ${percentile(t.health, 99).toFixed(1)} ms (${t.health.length} probes)`;
    console.log(`  ${sides[side].label.padEnd(48)} ${rate(side).toFixed(0).padStart(6)} responses/s${saturated}`);
    if (t !== undefined && t.lags.length > 0) {
      // Where the time went: CPU the service itself used per response (health probes included) vs
      // the wall time per response; what is left is time it waited for a core or for I/O.
      const cores = availableParallelism();
      console.log(
        `    CPU per response: service ${((1000 * t.serviceCpu) / t.responses).toFixed(1)} ms (workers, process_cpu_seconds_total), ` +
          `client ${((1000 * t.clientCpu) / t.responses).toFixed(1)} ms; wall ${((1000 * t.seconds) / t.responses).toFixed(1)} ms; ` +
          `service busy ${((100 * t.serviceCpu) / (t.seconds * cores)).toFixed(0)}% of ${cores} cores`,
      );
    }
  }
  const cores = availableParallelism();
  const ratio = (side: string) => (rate(side) / rate('bare')).toFixed(2);
  // One worker already uses two cores with its validation thread; "per core" is the copy without it.
  console.log(`ratio per core (1 worker, node-saml on the event loop / bare, one core): ${ratio('loop')}`);
  console.log(
    `ratio with all cores (/ bare, one core): 1 worker + its validation thread ${ratio('one')}, ` +
      `${cores} workers + a thread each ${ratio('all')}   [target >= 1.3]`,
  );
  // CPU time per response does not depend on how many other processes share the cores, so on a busy
  // machine this is the steadier figure: what the ratio would be if every core ran only the service.
  const cpuPer = (side: string) => {
    const t = tallies.get(side);
    return t === undefined ? NaN : (side === 'bare' ? t.clientCpu : t.serviceCpu) / t.responses;
  };
  const cpuBound = (side: string) => ((cores * cpuPer('bare')) / cpuPer(side)).toFixed(2);
  console.log(
    `CPU per response: bare node-saml ${(1000 * cpuPer('bare')).toFixed(1)} ms, service ${(1000 * cpuPer('one')).toFixed(1)} ms (1 worker), ` +
      `${(1000 * cpuPer('all')).toFixed(1)} ms (${cores} workers); CPU-bound ratio with all cores ` +
      `(${cores} x bare / service, client excluded): 1 worker + thread ${cpuBound('one')}, ${cores} workers ${cpuBound('all')}`,
  );
}

/** ACS then POST /api/credentials through the emulator, one at a time: the server time of a whole login. */
async function fullLogin(s: Spawned, count: number, agent: http.Agent): Promise<void> {
  const warm = 20;
  const samples = await signSamples(s, count + warm, agent);
  const body = JSON.stringify({ cluster: 'analytics' });
  const times: number[] = [];
  for (const [i, sample] of samples.entries()) {
    const start = process.hrtime.bigint();
    const session = await postAcs(s.service.port, sample, agent);
    const res = await request(s.service.port, '/api/credentials', {
      method: 'POST',
      agent,
      headers: {
        cookie: session,
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
      },
      body,
    });
    if (res.status !== 200) throw new Error(`POST /api/credentials answered ${res.status}: ${res.body.slice(0, 300)}`);
    if (i >= warm) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `full login (ACS -> POST /api/credentials, 1 worker, AWS emulator at zero latency, one at a time, ${times.length} logins): ` +
      `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (includes the emulator's own work: it checks the assertion's signature for STS)`,
  );
}
