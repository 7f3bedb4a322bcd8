// What the every-core part reads from a copy while its ACS is saturated: event-loop lag and CPU
// from one scrape of the primary's metrics listener, and /healthz latency from a probe loop.
import type { Spawned } from './copies.ts';
import { request } from './client.ts';

/** prom-client's default eventLoopMonitoringPrecision (src/metrics.ts keeps the default). */
const LAG_SAMPLING_MS = 10;

interface Scrape {
  /** The worst worker's event-loop lag p99 since the previous scrape (prom-client resets it on every scrape), ms. */
  lagMs: number;
  /** CPU seconds used so far by the serving processes (every worker; the primary left out). */
  cpuSeconds: number;
}

/** One scrape holds every worker: the primary sums the registries; process metrics carry worker="<id>". */
export async function scrape(s: Spawned): Promise<Scrape> {
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
export async function probeHealth(port: number, done: () => boolean): Promise<number[]> {
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
