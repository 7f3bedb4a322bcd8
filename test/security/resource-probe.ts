// Measures what one request costs the (in-process) service: wall time and RSS growth, and turns a
// connection the server reset (a request line over Node's header limit) into a visible outcome.
// Limits are generous on purpose: they catch blow-ups and hangs, not slow CI machines.
import { performance } from 'node:perf_hooks';
import type { CaseContext } from './attack-runner.ts';

export const MAX_MS = 2_000;
export const MAX_RSS_GROWTH_MB = 200;

/** Runs `send`, notes time and RSS growth on the case, and flags (with "!") anything over the limits. */
export async function measured(ctx: CaseContext, send: () => Promise<Response>, limits: { ms?: number; rssMb?: number } = {}): Promise<Response> {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
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
  const rssMb = Math.round((process.memoryUsage().rss - rssBefore) / 1e6);
  ctx.note(`${ms} ms, RSS ${rssMb >= 0 ? '+' : ''}${rssMb} MB`);
  if (ms > (limits.ms ?? MAX_MS)) ctx.note(`! took ${ms} ms (limit ${limits.ms ?? MAX_MS} ms)`);
  if (rssMb > (limits.rssMb ?? MAX_RSS_GROWTH_MB)) ctx.note(`! RSS grew ${rssMb} MB (limit ${limits.rssMb ?? MAX_RSS_GROWTH_MB} MB)`);
  return res;
}

function isConnectionReset(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE' || cause?.code === 'UND_ERR_SOCKET';
}
