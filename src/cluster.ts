// Several processes on one machine (server.workers > 1), so signature checking, which holds a
// core for milliseconds per response, uses every core. node:cluster rather than a validation pool:
// each worker is the whole service, so SAML validation stays inside the request pipeline (where
// passport-saml runs it) and the workers share only the listening socket and the store.
// The primary serves nothing and opens no store: it forks, supervises and relays shutdown.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Logger } from './logger.ts';

const SHUTDOWN = 'redshift-sso:shutdown';
const CUT = 'redshift-sso:cut';

/** server.workers as a process count: `auto` is one per core the process may use. */
export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? availableParallelism() : setting;
}

/** True in a process forked by runPrimary. */
export function isWorker(): boolean {
  return cluster.isWorker;
}

/** Fields every log line of a worker carries, so requests can be told apart by process. */
export function workerLogFields(): Record<string, number> {
  return cluster.worker === undefined ? {} : { worker: cluster.worker.id, pid: process.pid };
}

/**
 * Whether this process hands out a fresh install's setup token: a single process, or the first
 * worker ever forked (a replacement gets a new id). The store's insert-once keeps it single anyway.
 */
export function handsOutSetupToken(): boolean {
  return cluster.worker === undefined || cluster.worker.id === 1;
}

/** In a worker: the primary's shutdown and cut requests. Signals sent to the worker itself still apply. */
export function followPrimary(handlers: { shutdown(): void; cut(): void }): void {
  if (!cluster.isWorker) return;
  process.on('message', (message: unknown) => {
    if (message === SHUTDOWN) handlers.shutdown();
    else if (message === CUT) handlers.cut();
  });
}

export interface Supervision {
  /** A crashed worker is replaced after this delay, doubled per crash in the window, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** More crashes than this within windowMs is a crash loop: the service stops with status 1. */
  maxCrashes: number;
  windowMs: number;
}

export interface Primary {
  /** The workers alive that have listened: the ones serving requests (and answering for metrics). */
  listening(): Worker[];
}

export const DEFAULT_SUPERVISION: Supervision = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 60_000,
};

/**
 * Forks `workers` copies of this program and keeps them running. SIGTERM/SIGINT ask every worker to
 * drain (a second signal cuts); the primary exits 0 once all exited cleanly, else 1. A worker that
 * fails before any worker ever listened is a start-up failure, and stops the service like a crash loop.
 */
export function runPrimary(workers: number, logger: Logger, supervision: Supervision = DEFAULT_SUPERVISION): Primary {
  const live = new Set<Worker>();
  const listened = new Set<number>();
  const restarts = new Set<NodeJS.Timeout>();
  let crashes: number[] = [];
  let stopping = false;
  let failed = false;

  const fork = () => live.add(cluster.fork());
  const stop = (reason: string, failure: boolean) => {
    failed ||= failure;
    if (stopping) {
      logger.warn({ reason }, 'second signal: workers cut open connections');
      for (const worker of live) worker.send(CUT);
      return;
    }
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    logger.info({ reason, workers: live.size }, 'stopping workers');
    for (const worker of live) {
      // One still starting has no message handler yet; a signal stops it either way.
      if (listened.has(worker.id)) worker.send(SHUTDOWN);
      else worker.process.kill('SIGTERM');
    }
    if (live.size === 0) process.exit(failed ? 1 : 0);
  };

  cluster.on('listening', recordListening(listened, workers, logger));

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    if (stopping) {
      if (listened.has(worker.id) && code !== 0) failed = true;
      if (live.size === 0) {
        logger.info({ status: failed ? 1 : 0 }, 'stopped');
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker exited');
    if (listened.size === 0) return stop('a worker failed to start', true);
    const now = Date.now();
    crashes = [...crashes.filter((at) => now - at < supervision.windowMs), now];
    if (crashes.length > supervision.maxCrashes) {
      logger.fatal(
        { crashes: crashes.length, windowSeconds: supervision.windowMs / 1000 },
        'workers keep crashing: stopping',
      );
      return stop('crash loop', true);
    }
    const delayMs = Math.min(supervision.maxDelayMs, supervision.baseDelayMs * 2 ** (crashes.length - 1));
    logger.info({ delayMs }, 'replacing the worker');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (!stopping) fork();
    }, delayMs);
    restarts.add(timer);
  });

  process.on('SIGTERM', () => stop('SIGTERM', false));
  process.on('SIGINT', () => stop('SIGINT', false));
  logger.info({ workers, pid: process.pid }, 'starting workers');
  for (let i = 0; i < workers; i++) fork();
  return { listening: () => [...live].filter((worker) => listened.has(worker.id) && worker.isConnected()) };
}

/** Marks a worker as serving, in `listened`, on its first 'listening' event. */
function recordListening(listened: Set<number>, workers: number, logger: Logger): (worker: Worker) => void {
  return (worker) => {
    if (listened.has(worker.id)) return; // one listener per worker; counted once regardless
    listened.add(worker.id);
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker listening');
    if (listened.size === workers) logger.info({ workers }, 'all workers listening');
  };
}
