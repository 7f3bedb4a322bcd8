// The in-process part: one production app (and one for the HTTP floor) in this process, the
// responses signed up front, a warm-up, then rounds of short batches per side and concurrency in an
// order that rotates. Prints the table and ratios (report.ts) and, with --phases, the breakdown.
import { rmSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { args, CONCURRENCY, N, ROUNDS, WARMUP } from './args.ts';
import { startProfiler, stopProfiler } from './cpu-profile.ts';
import { phaseBreakdown } from './phases.ts';
import { printHeader, printRatios, printTable, type Tally } from './report.ts';
import { checksAreLive, SamplePool, signSamples } from './samples.ts';
import { IDP, startService, stopService, type Service } from './service.ts';
import {
  ALL_SIDES,
  bareJob,
  bareSamlOptions,
  httpPostJob,
  inProcessJob,
  memoryRequestCache,
  NOOP_ACS_PATH,
  noopAcsRouter,
  runBatch,
  selectedSides,
  type Job,
  type Side,
} from './sides.ts';

interface Rounds {
  sides: Set<Side>;
  jobs: Record<Side, Job>;
  pool: SamplePool;
  irtCache: ReturnType<typeof memoryRequestCache>;
  /** Both service sides run: each consumes its own responses (replay cache). */
  twoConsumers: boolean;
}

/** Warm-up (not measured), then the measured rounds (profiled with --cpu-prof): a tally per side@concurrency. */
async function measure({ sides, jobs, pool, irtCache, twoConsumers }: Rounds): Promise<Map<string, Tally>> {
  const c0 = CONCURRENCY[0] ?? 1;
  // The in-memory InResponseTo variant is a cross-check of node-saml's own cost: first concurrency only.
  const runs = (side: Side, concurrency: number): boolean =>
    sides.has(side) && (side !== 'bareIrt' || concurrency === c0);

  // Warm-up: JIT, SQLite page cache, keep-alive sockets.
  const warmShared = pool.take(WARMUP);
  const warmInproc = sides.has('inproc') && twoConsumers ? pool.take(WARMUP) : warmShared;
  for (const side of sides) {
    if (side === 'bareIrt') irtCache.fill(warmShared);
    await runBatch(side === 'inproc' ? warmInproc : warmShared, 1, jobs[side]);
  }

  const tallies = new Map<string, Tally>();
  const profiler = await startProfiler();
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCY) {
      const shared = pool.take(N);
      const inprocBatch = sides.has('inproc') && twoConsumers ? pool.take(N) : shared;
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
  return tallies;
}

export async function inProcessBench(): Promise<void> {
  const sides = selectedSides(args.sides);
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
    printHeader(service, dir);
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
    const tallies = await measure({ sides, jobs, pool, irtCache, twoConsumers: consumers === 2 });
    printTable(tallies);
    printRatios(tallies);

    if (args.phases) await phaseBreakdown(dir, bare);
    console.log(`\ntotal run time ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  } finally {
    agent.destroy();
    // Settled, not awaited in turn: a failed close must not leave the temporary directory behind.
    await Promise.allSettled(services.map(stopService));
    rmSync(dir, { recursive: true, force: true });
  }
}
