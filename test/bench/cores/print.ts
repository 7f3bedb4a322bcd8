// What the every-core part prints: responses/s per side with lag, /healthz and CPU per response,
// the ratios against bare node-saml (per core, all cores, CPU-bound), and percentiles for these
// lines and the full-login one. Figures are explained in bench/README.md ("Every core").
import { availableParallelism } from 'node:os';
import type { CoresOptions } from '../cores.ts';
import { CORE_SIDES, type CoreSide, type Tally } from './rounds.ts';

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export function printCores(tallies: Map<string, Tally>, labels: Record<CoreSide, string>, options: CoresOptions): void {
  const rate = (side: string): number => {
    const t = tallies.get(side);
    return t === undefined ? NaN : t.responses / t.seconds;
  };
  console.log(
    `ACS over HTTP at concurrency ${options.concurrency} (client in this process); bare node-saml at concurrency 1; ${options.rounds} rounds of ${options.n}, order rotating`,
  );
  for (const side of CORE_SIDES) {
    const t = tallies.get(side);
    const saturated =
      t === undefined || t.lags.length === 0
        ? ''
        : `  event-loop lag p99 ${percentile(t.lags, 50).toFixed(1)} ms beyond the 10 ms sampling tick (median of batches; worst ${Math.max(...t.lags).toFixed(1)}), /healthz p99 ${percentile(t.health, 99).toFixed(1)} ms (${t.health.length} probes)`;
    console.log(`  ${labels[side].padEnd(48)} ${rate(side).toFixed(0).padStart(6)} responses/s${saturated}`);
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
