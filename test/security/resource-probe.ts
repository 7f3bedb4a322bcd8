// Measures what one request costs the (in-process) service: CPU time, wall time and RSS growth, and
// turns a connection the server reset (a request line over Node's header limit) into a visible
// outcome. The limit applies to this process's CPU time, not wall time: a loaded machine (other
// jobs on the same cores) stretches wall time but not the CPU an attack makes the service burn,
// which is what a blow-up (quadratic regex, exponential parse) shows up in. Limits are generous on
// purpose: they catch blow-ups, not slow machines.
import { performance } from 'node:perf_hooks';
import type { CaseContext } from './attack-runner.ts';

export const MAX_MS = 2_000;
export const MAX_RSS_GROWTH_MB = 200;

/** Runs `send`, notes time and RSS growth on the case, and flags (with "!") anything over the limits. */
export async function measured(
  ctx: CaseContext,
  send: () => Promise<Response>,
  limits: { ms?: number; rssMb?: number } = {},
): Promise<Response> {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let res: Response;
  try {
    res = await send();
    await res.clone().arrayBuffer();
  } catch (err) {
    if (!isConnectionReset(err)) throw err;
    ctx.note('connection reset by the server');
    res = new Response(null, { status: 431, statusText: 'connection reset' });
  }
  const ms = Math.round(performance.now() - started);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  const rssMb = Math.round((process.memoryUsage().rss - rssBefore) / 1e6);
  ctx.note(`${ms} ms (${cpuMs} ms CPU), RSS ${rssMb >= 0 ? '+' : ''}${rssMb} MB`);
  if (cpuMs > (limits.ms ?? MAX_MS)) ctx.note(`! used ${cpuMs} ms of CPU (limit ${limits.ms ?? MAX_MS} ms)`);
  if (rssMb > (limits.rssMb ?? MAX_RSS_GROWTH_MB))
    ctx.note(`! RSS grew ${rssMb} MB (limit ${limits.rssMb ?? MAX_RSS_GROWTH_MB} MB)`);
  return res;
}

function isConnectionReset(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE' || cause?.code === 'UND_ERR_SOCKET';
}
