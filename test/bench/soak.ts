// Soak: the service as production runs it (a spawned `src/main.ts`, NODE_ENV=production, the real
// AWS SDK against the AWS emulator over HTTP, a SQLite or PostgreSQL store) under a loop of
// sign-ins (GET /login, a response signed by the fixture IdP, POST to the ACS) and credential
// requests (POST /api/credentials), for a bounded time. Prints the errors by code, the work done,
// the service's RSS after warm-up and at the end, its growth per 10,000 sign-ins, and one
// PASS/FAIL line for "0 errors, RSS growth under 5% after warm-up". Nothing here is a test: no
// timing is asserted anywhere. See SOAK.md beside this file.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { TEST_CLUSTER_HOST, TEST_CLUSTER_IDENTIFIER, TEST_CLUSTER_PORT } from '../support/app-harness.ts';
import { CookieClient } from '../support/cookie-client.ts';
import { authnRequestIdOf, signedResponseTo } from '../support/http-flow.ts';
import { fixtureIdp, freePort, ServiceHome } from '../support/spawn-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';
import { testSessionSecret } from '../support/test-secret.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: process.env.SOAK_MINUTES ?? '5' },
    'warmup-seconds': { type: 'string' },
    'warmup-sign-ins': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'credentials-per-sign-in': { type: 'string', default: '2' },
    store: { type: 'string', default: 'sqlite' },
  },
  strict: true,
});

const MINUTES = Number(args.minutes);
const CONCURRENCY = Number(args.concurrency);
const CREDENTIALS_PER_SIGN_IN = Number(args['credentials-per-sign-in']);
if (
  !(MINUTES > 0) ||
  !(CONCURRENCY >= 1) ||
  !(CREDENTIALS_PER_SIGN_IN >= 0) ||
  !['sqlite', 'postgres'].includes(args.store)
) {
  throw new Error(
    'usage: npm run soak -- [--minutes N] [--warmup-seconds S] [--warmup-sign-ins N] [--concurrency C] [--credentials-per-sign-in K] [--store sqlite|postgres]',
  );
}
// Warm-up: JIT, caches, connection pools and the heap settle; growth is measured from there. It
// ends after both a time and an amount of work: on a busy machine a minute may hold only a few
// dozen sign-ins, and V8 keeps growing its heap capacity until the load has run for a while.
const WARMUP_MS =
  1000 * (args['warmup-seconds'] === undefined ? Math.min(60, MINUTES * 12) : Number(args['warmup-seconds']));
const WARMUP_SIGN_INS = Number(args['warmup-sign-ins']);
const RSS_WINDOW_MS = 10_000;
const IDP = 'corp';
const CLUSTER = 'warehouse';

interface Sample {
  at: number;
  rss: number;
  signIns: number;
  /** V8 heap in use (prom-client's nodejs_heap_size_used_bytes), every 5th sample. */
  heapUsed?: number;
  /** V8 heap reserved (nodejs_heap_size_total_bytes), read with heapUsed. */
  heapTotal?: number;
}

const stats = { signIns: 0, credentials: 0, errors: new Map<string, number>() };
const countError = (code: string) => stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);

/** The service's resident set, from /proc (Linux). */
function rssOf(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

async function expect(res: Response, status: number): Promise<boolean> {
  if (res.status === status) {
    await res.arrayBuffer();
    return true;
  }
  const text = await res.text();
  let code = `HTTP_${res.status}`;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
  } catch {
    // not JSON: the status is the code
  }
  countError(code);
  return false;
}

/** One person: sign in, then ask for credentials a few times. */
async function iteration(baseUrl: string): Promise<void> {
  const client = new CookieClient(baseUrl);
  const start = await client.get(`/login/${IDP}`);
  if (start.status !== 302) return void (await expect(start, 302));
  const inResponseTo = authnRequestIdOf(start.headers.get('location') ?? '');
  const samlResponse = signedResponseTo(baseUrl, IDP, { inResponseTo });
  if (
    !(await expect(
      await client.postForm(`/saml/acs/${IDP}`, { SAMLResponse: samlResponse }, { accept: 'application/json' }),
      303,
    ))
  )
    return;
  stats.signIns += 1;
  for (let i = 0; i < CREDENTIALS_PER_SIGN_IN; i++) {
    if (await expect(await client.postJson('/api/credentials', { cluster: CLUSTER }), 200)) stats.credentials += 1;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The service's JS heap in use, from its metrics listener: tells a leak of objects from a heap or allocator that grew.
 */
async function heapOfService(metricsUrl: string): Promise<{ used?: number; total?: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const read = (name: string) => {
    const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  };
  return { used: read('nodejs_heap_size_used_bytes'), total: read('nodejs_heap_size_total_bytes') };
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const home = ServiceHome.create('soak');
  const emulator = await fixtureIdp.emulator({
    clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
  });
  const database: TestDatabase | undefined =
    args.store === 'postgres' ? await createTestDatabase('redshift_sso_soak') : undefined;
  const metricsPort = await freePort();
  const service = await home.spawn({
    file: 'soak.json',
    config: (baseUrl) => ({
      server: {
        baseUrl,
        sessionSecret: testSessionSecret(),
        rateLimit: { login: 10_000_000, acs: 10_000_000, api: 10_000_000 },
      },
      idps: [fixtureIdp.entry({ id: IDP, name: undefined })],
      clusters: [fixtureIdp.cluster({ id: CLUSTER, clusterIdentifier: TEST_CLUSTER_IDENTIFIER, region: undefined })],
      store: { url: database?.url ?? home.sqliteUrl() },
      metrics: { port: metricsPort },
    }),
    awsEmulator: emulator.url,
  });
  const baseUrl = service.baseUrl;
  service.discardOutput();
  const load = loadavg()[0] ?? 0;
  console.log(
    `soak: ${MINUTES} min (warm-up ${WARMUP_MS / 1000} s and ${WARMUP_SIGN_INS} sign-ins), ${CONCURRENCY} clients, ${CREDENTIALS_PER_SIGN_IN} credential requests per sign-in, ${args.store} store, pid ${service.pid}, ${cpus().length} cores, load average ${load.toFixed(2)} at start`,
  );

  const started = performance.now();
  const endAt = started + MINUTES * 60_000;
  const samples: Sample[] = [];
  const sample = () => {
    const entry: Sample = { at: performance.now() - started, rss: rssOf(service.pid), signIns: stats.signIns };
    samples.push(entry);
    if (samples.length % 5 === 1)
      void heapOfService(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (heap) => Object.assign(entry, { heapUsed: heap.used, heapTotal: heap.total }),
        () => undefined,
      );
  };
  const sampler = setInterval(sample, 1000);
  const progress = setInterval(() => {
    const last = samples.at(-1);
    console.log(
      `  ${Math.round((performance.now() - started) / 1000)} s: ${stats.signIns} sign-ins, ${stats.credentials} credentials, ${[...stats.errors.values()].reduce((a, b) => a + b, 0)} errors, RSS ${last === undefined ? '?' : mib(last.rss)}`,
    );
  }, 30_000);
  const worker = async () => {
    while (performance.now() < endAt) {
      try {
        await iteration(baseUrl);
      } catch (err) {
        countError(`CLIENT_${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`);
      }
      // The emulator keeps every call for tests; here it would only grow this process.
      if (emulator.calls.length > 1000) emulator.calls.splice(0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  sample();
  clearInterval(sampler);
  clearInterval(progress);
  const elapsed = (performance.now() - started) / 1000;
  const endLoad = loadavg()[0] ?? 0;
  await home.close();
  await emulator.close();
  await database?.drop();
  report(samples, elapsed, load, endLoad);
}

function report(samples: Sample[], elapsed: number, startLoad: number, endLoad: number): void {
  const end = samples.at(-1)?.at ?? 0;
  const warmedAt = samples.find((s) => s.at >= WARMUP_MS && s.signIns >= WARMUP_SIGN_INS)?.at;
  if (warmedAt === undefined || warmedAt > end - 3 * RSS_WINDOW_MS) {
    console.log(
      `\nFAIL: the warm-up (${WARMUP_MS / 1000} s and ${WARMUP_SIGN_INS} sign-ins) left no time to measure: ${stats.signIns} sign-ins in ${elapsed.toFixed(0)} s (load average ${startLoad.toFixed(2)} → ${endLoad.toFixed(2)}); run longer or on a quieter machine`,
    );
    process.exitCode = 1;
    return;
  }
  const warmEnd = warmedAt;
  const afterWarmup = samples.filter((s) => s.at >= warmEnd && s.at < warmEnd + RSS_WINDOW_MS);
  const atEnd = samples.filter((s) => s.at >= end - RSS_WINDOW_MS);
  const rssWarm = median(afterWarmup.map((s) => s.rss));
  const rssEnd = median(atEnd.map((s) => s.rss));
  const signInsMeasured = median(atEnd.map((s) => s.signIns)) - median(afterWarmup.map((s) => s.signIns));
  const growth = (rssEnd - rssWarm) / rssWarm;
  const heapOf = (window: Sample[], key: 'heapUsed' | 'heapTotal' = 'heapUsed') =>
    median(window.flatMap((s) => (s[key] === undefined ? [] : [s[key]])));
  const errors = [...stats.errors.values()].reduce((a, b) => a + b, 0);
  console.log('');
  console.log(
    `duration                      ${elapsed.toFixed(0)} s (load average ${startLoad.toFixed(2)} at start, ${endLoad.toFixed(2)} at end, ${cpus().length} cores)`,
  );
  console.log(`sign-ins                      ${stats.signIns} (${(stats.signIns / elapsed).toFixed(1)}/s)`);
  console.log(`credential requests           ${stats.credentials} (${(stats.credentials / elapsed).toFixed(1)}/s)`);
  console.log(
    `errors                        ${errors}${errors === 0 ? '' : ` ${JSON.stringify(Object.fromEntries(stats.errors))}`}`,
  );
  console.log(
    `RSS after warm-up             ${mib(rssWarm)} (median of ${afterWarmup.length} samples from ${(warmEnd / 1000).toFixed(0)} s)`,
  );
  console.log(`RSS at end                    ${mib(rssEnd)} (median of the last ${atEnd.length} samples)`);
  console.log(`RSS growth after warm-up      ${(growth * 100).toFixed(2)}%`);
  console.log(
    `JS heap in use               ${mib(heapOf(afterWarmup))} after warm-up, ${mib(heapOf(atEnd))} at end (includes garbage not yet collected)`,
  );
  console.log(
    `JS heap reserved             ${mib(heapOf(afterWarmup, 'heapTotal'))} after warm-up, ${mib(heapOf(atEnd, 'heapTotal'))} at end`,
  );
  console.log(
    `RSS growth per 10,000 sign-ins ${signInsMeasured > 0 ? mib(((rssEnd - rssWarm) / signInsMeasured) * 10_000) : 'n/a'} (${signInsMeasured} sign-ins measured)`,
  );
  const pass = errors === 0 && Number.isFinite(growth) && growth < 0.05;
  console.log(
    `${pass ? 'PASS' : 'FAIL'}: ${errors} errors, RSS growth ${(growth * 100).toFixed(2)}% after warm-up (target: 0 errors, under 5%)`,
  );
  process.exitCode = pass ? 0 : 1;
}

await main();
