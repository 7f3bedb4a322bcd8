// Signature checking is the ACS's CPU work: several milliseconds per response (more for a large
// one) that would otherwise block the event loop, and with it health probes and every other
// request, while it runs. With `server.validationThreads` > 0, node-saml's
// validatePostResponseAsync runs on a piscina pool of worker threads instead (validation-worker.ts).
// passport-saml stays the entry point: its strategy calls this SAML subclass as it calls node-saml,
// and everything else node-saml does (AuthnRequests, metadata, logout) stays on the event loop.
// One pool per process, shared by every connection (and every app in a test process); idle
// threads do not keep the process alive (piscina unrefs them).
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import { SAML, type SamlConfig } from '@node-saml/node-saml';
import {
  errorFromOutcome,
  profileFromData,
  type ThreadSamlOptions,
  type ValidationOutcome,
  type ValidationTask,
} from './validation-task.ts';

const pools = new Map<number, Piscina>();

/** The process's pool of `threads` validation threads, started on first use. */
export function validationPool(threads: number): Piscina {
  let pool = pools.get(threads);
  if (pool === undefined) {
    // Run as .ts under tsx (dev, tests: the threads inherit its loader) and as .js from dist.
    const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    pool = new Piscina({
      filename: new URL(`./validation-worker${extension}`, import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
    });
    pools.set(threads, pool);
  }
  return pool;
}

/** The validation threads running in this process and the responses waiting for one (metrics). */
export function validationLoad(): { threads: number; queued: number } {
  let threads = 0;
  let queued = 0;
  for (const pool of pools.values()) {
    threads += pool.threads.length;
    queued += pool.queueSize;
  }
  return { threads, queued };
}

/** Stops the process's validation threads (graceful shutdown, after the last request). */
export async function closeValidationPools(): Promise<void> {
  const closing = [...pools.values()].map((pool) => pool.close());
  pools.clear();
  await Promise.all(closing);
}

// The AuthnRequest ID an ACS attempt took from the store, by the body passport-saml hands to
// validatePostResponseAsync (acs-strategy.ts records it): the thread's cache knows only that one.
const takenRequests = new WeakMap<object, { id: string; value: string }>();

export function recordTakenRequest(container: object, id: string, value: string): void {
  takenRequests.set(container, { id, value });
}

/** node-saml whose response validation runs on the validation threads. */
export class PooledSaml extends SAML {
  private readonly threadOptions: ThreadSamlOptions;
  private readonly key: string;

  constructor(
    options: SamlConfig,
    private readonly pool: () => Piscina,
  ) {
    super(options);
    // The thread only validates: it gets no cache, no ID generator and not the SP's signing key.
    const { cacheProvider: _cache, generateUniqueId: _id, privateKey: _signingKey, ...threadOptions } = options;
    this.threadOptions = threadOptions;
    this.key = createHash('sha256').update(JSON.stringify(threadOptions)).digest('hex');
  }

  override async validatePostResponseAsync(
    container: Record<string, string>,
  ): ReturnType<SAML['validatePostResponseAsync']> {
    const task: ValidationTask = {
      key: this.key,
      options: this.threadOptions,
      // node-saml reads only the SAMLResponse field of the posted form.
      container: { SAMLResponse: container.SAMLResponse ?? '' },
      takenRequest: takenRequests.get(container),
    };
    const outcome = (await this.pool().run(task)) as ValidationOutcome;
    if (!outcome.ok) throw errorFromOutcome(outcome);
    return { profile: profileFromData(outcome.profile), loggedOut: outcome.loggedOut };
  }
}
