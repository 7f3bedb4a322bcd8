// The every-core part's batches: bare node-saml on one core (in this process) and the ACS of three
// spawned copies over HTTP, warmed up, then rounds in an order that rotates. Around each ACS batch
// the copy is scraped (lag, CPU) and /healthz probed; each side's figures add up in a Tally.
import type http from 'node:http';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import { fixtureKeys, TEST_IDP_ISSUER } from '../../support/sign-response.ts';
import { postAcs, runBatch, type Sample } from './client.ts';
import { IDP, type Spawned } from './copies.ts';
import { probeHealth, scrape } from './scrape.ts';

export const CORE_SIDES = ['bare', 'one', 'loop', 'all'] as const;
export type CoreSide = (typeof CORE_SIDES)[number];
/** The spawned copies measured: 1 worker, 1 worker with node-saml on the event loop, one per core. */
export type AcsSide = Exclude<CoreSide, 'bare'>;

export interface Tally {
  responses: number;
  seconds: number;
  lags: number[];
  health: number[];
  /** CPU seconds the service's workers, and this (client) process, used during the batches. */
  serviceCpu: number;
  clientCpu: number;
}

export interface RoundOptions {
  n: number;
  rounds: number;
  warmup: number;
  concurrency: number;
}

export function sideLabels(cores: number): Record<CoreSide, string> {
  return {
    bare: 'bare node-saml validatePostResponseAsync, one core',
    one: 'service, 1 worker: HTTP POST /saml/acs',
    loop: '  the same, node-saml on the event loop',
    all: `service, ${cores} workers: HTTP POST /saml/acs`,
  };
}

/** Bare node-saml with the options the copies resolve for the fixture IdP, InResponseTo never. */
function bareJobFor(one: Spawned): (sample: Sample) => Promise<void> {
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
  return async (sample: Sample) => {
    if ((await bare.validatePostResponseAsync({ SAMLResponse: sample.response })).profile === null)
      throw new Error('no profile');
  };
}

/** Warm-up (not measured), then `rounds` rounds of one batch per side: a Tally per side. */
export async function measureCores(
  copies: Record<AcsSide, { spawned: Spawned; samples: Sample[] }>,
  options: RoundOptions,
  agent: http.Agent,
): Promise<Map<string, Tally>> {
  const bareJob = bareJobFor(copies.one.spawned);
  const acsBatch = (s: Spawned, batch: Sample[]) =>
    runBatch(batch, options.concurrency, (sample) => postAcs(s.service.port, sample, agent));
  // Warm-up (not measured): JIT in every worker, SQLite page cache, keep-alive sockets.
  await runBatch(copies.one.samples.slice(0, options.warmup), 1, bareJob);
  await acsBatch(copies.one.spawned, copies.one.samples.slice(0, options.warmup));
  await acsBatch(copies.loop.spawned, copies.loop.samples.slice(0, options.warmup));
  await acsBatch(copies.all.spawned, copies.all.samples.slice(0, options.warmup));

  const tallies = new Map<string, Tally>();
  for (let round = 0; round < options.rounds; round++) {
    const from = options.warmup + round * options.n;
    for (let i = 0; i < CORE_SIDES.length; i++) {
      const side = CORE_SIDES[(i + round) % CORE_SIDES.length] ?? 'bare';
      const t = tallies.get(side) ?? { responses: 0, seconds: 0, lags: [], health: [], serviceCpu: 0, clientCpu: 0 };
      tallies.set(side, t);
      if (side === 'bare') {
        const cpuBefore = process.cpuUsage();
        // The bare side validates the 1-worker copy's responses; it keeps no state, so reuse is fair.
        t.seconds += await runBatch(copies.one.samples.slice(from, from + options.n), 1, bareJob);
        const cpu = process.cpuUsage(cpuBefore);
        t.clientCpu += (cpu.user + cpu.system) / 1e6;
        t.responses += options.n;
        continue;
      }
      const { spawned: s, samples } = copies[side];
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
  return tallies;
}
