// --phases: where the HTTP ACS's time goes, on a second, instrumented copy of the service at
// concurrency 1. node-saml and the store are timed in place; the pure steps, which cannot be
// separated in place, are timed on their own over the same responses; the rest is what is left.
import http from 'node:http';
import { SAML } from '@node-saml/node-saml';
import type { Store } from '../../../src/store/ports.ts';
import { spSettings } from '../../../src/saml/sp-settings.ts';
import { readResponseEnvelope } from '../../../src/saml/response-envelope.ts';
import { checkAssertionConditions } from '../../../src/saml/assertion-conditions.ts';
import { toFederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { TEST_ROLE_ARN } from '../../support/sign-response.ts';
import { LOG_LEVEL, PHASE_N, WARMUP } from './args.ts';
import { signSamples, type Sample } from './samples.ts';
import { IDP, ROLE_SESSION, startService, stopService, type Service } from './service.ts';
import { httpPostJob, NOOP_ACS_PATH, noopAcsRouter, runBatch } from './sides.ts';

type PhaseTimes = Map<string, { ns: bigint; calls: number }>;

function addTime(times: PhaseTimes, name: string, ns: bigint): void {
  const t = times.get(name) ?? { ns: 0n, calls: 0 };
  t.ns += ns;
  t.calls += 1;
  times.set(name, t);
}

/** Times each store call. The SQLite store does its work synchronously, before its promise returns. */
function timedStore(store: Store, times: PhaseTimes): Store {
  const timed = {} as Record<string, unknown>;
  for (const name of Object.keys(store) as (keyof Store)[]) {
    const fn = store[name] as (...a: unknown[]) => unknown;
    timed[name] = (...a: unknown[]) => {
      const start = process.hrtime.bigint();
      try {
        return fn(...a);
      } finally {
        addTime(times, `store.${name}`, process.hrtime.bigint() - start);
      }
    };
  }
  return timed as unknown as Store;
}

async function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): Promise<bigint> {
  const start = process.hrtime.bigint();
  for (const item of items) await fn(item);
  return process.hrtime.bigint() - start;
}

interface InPlace {
  measured: Sample[];
  /** Seconds the measured ACS batch took. */
  total: number;
  /** The time of node-saml and of each store call during that batch. */
  acsTimes: PhaseTimes;
  /** Seconds the same responses took on the no-op route, in a batch after. */
  floorSeconds: number;
}

/** The HTTP ACS with node-saml (its prototype wrapped) and every store call timed, then the floor. */
async function measureInPlace(service: Service, agent: http.Agent, times: PhaseTimes): Promise<InPlace> {
  const samples = await signSamples(service, agent, PHASE_N + WARMUP);
  const warm = samples.slice(0, WARMUP);
  const measured = samples.slice(WARMUP);
  const acs = httpPostJob(service, agent, `/saml/acs/${IDP}`, true);
  const noop = httpPostJob(service, agent, NOOP_ACS_PATH, false);
  await runBatch(warm, 1, acs);
  await runBatch(warm, 1, noop);
  times.clear();

  const proto = SAML.prototype as unknown as { validatePostResponseAsync: SAML['validatePostResponseAsync'] };
  const original = proto.validatePostResponseAsync;
  proto.validatePostResponseAsync = async function (this: SAML, container) {
    const start = process.hrtime.bigint();
    try {
      return await original.call(this, container);
    } finally {
      addTime(times, 'node-saml', process.hrtime.bigint() - start);
    }
  };
  let total: number;
  try {
    total = await runBatch(measured, 1, acs);
  } finally {
    proto.validatePostResponseAsync = original;
  }
  const acsTimes: PhaseTimes = new Map([...times].map(([name, t]) => [name, { ...t }]));
  const floorSeconds = await runBatch(measured, 1, noop);
  return { measured, total, acsTimes, floorSeconds };
}

interface PureSteps {
  envelopeNs: bigint;
  conditionsNs: bigint;
  identityNs: bigint;
  sealNs: bigint;
  logNs: bigint;
}

/** Pure steps, timed on their own over the same responses (they are not separable in place). */
async function timePureSteps(service: Service, bare: SAML, measured: Sample[]): Promise<PureSteps> {
  const idp = service.app.sp.idp(IDP);
  const acsUrl = service.app.sp.acsUrl(IDP);
  const { audiences } = spSettings(service.config);
  const profiles = await Promise.all(
    measured.map(async (s) => (await bare.validatePostResponseAsync({ SAMLResponse: s.response })).profile),
  );
  const envelopeNs = await timeEach(measured, (s) => readResponseEnvelope(s.response));
  const conditionsNs = await timeEach(profiles, (p) =>
    checkAssertionConditions(p?.getAssertion?.(), {
      acsUrl,
      audiences,
      now: new Date(),
      skewMs: idp.clockSkewSeconds * 1000,
    }),
  );
  const identityNs = await timeEach(profiles, (p) =>
    toFederatedIdentity(
      {
        idpId: IDP,
        issuer: p?.issuer ?? '',
        nameId: p?.nameID ?? '',
        nameIdFormat: p?.nameIDFormat,
        sessionIndex: p?.sessionIndex,
      },
      (p?.attributes ?? {}) as Record<string, unknown>,
      idp.attributes,
    ),
  );
  const sealNs = await timeEach(measured, () =>
    service.deps.vault.seal(ROLE_SESSION, { sessionId: 'bench-session', idpId: IDP, nameId: 'alice@example.com' }),
  );
  const logNs = await timeEach(measured, () =>
    service.logger.info(
      {
        idpId: IDP,
        nameId: 'alice@example.com',
        dbUser: 'alice',
        roles: [{ roleArn: TEST_ROLE_ARN, status: 'ready' }],
        admin: false,
      },
      'signed in',
    ),
  );
  return { envelopeNs, conditionsNs, identityNs, sealNs, logNs };
}

/** ms/response per phase, the rest (total less every phase) last. */
function phaseRows(inPlace: InPlace, pure: PureSteps): [string, number][] {
  const { acsTimes, floorSeconds, total } = inPlace;
  const n = inPlace.measured.length;
  const per = (ns: bigint | number): number => Number(ns) / 1e6 / n;
  const storeCalls = [...acsTimes].filter(([name]) => name.startsWith('store.'));
  // node-saml reaches the request-ID cache itself; those calls are listed with the store's.
  const requestCacheNs = storeCalls
    .filter(([name]) => /(get|remove)RequestId$/.test(name))
    .reduce((sum, [, t]) => sum + t.ns, 0n);
  const rows: [string, number][] = [
    [
      'node-saml validatePostResponseAsync (without its request-ID cache calls)',
      per((acsTimes.get('node-saml')?.ns ?? 0n) - requestCacheNs),
    ],
    ...storeCalls
      .sort((x, y) => Number(y[1].ns - x[1].ns))
      .map(([name, t]): [string, number] => [
        `SQLite ${name.slice(6)} (${(t.calls / n).toFixed(1)} per response)`,
        per(t.ns),
      ]),
    ['readResponseEnvelope (a second xmldom parse of the response) *', per(pure.envelopeNs)],
    ['checkAssertionConditions *', per(pure.conditionsNs)],
    ['toFederatedIdentity *', per(pure.identityNs)],
    ['role session seal (AES-GCM), STS fake *', per(pure.sealNs)],
    [`"signed in" log line (level ${LOG_LEVEL}) *`, per(pure.logNs)],
    ['HTTP floor: the same POST to a no-op route (measured after) **', (floorSeconds * 1000) / n],
  ];
  const totalMs = (total * 1000) / n;
  const accounted = rows.reduce((sum, [, ms]) => sum + ms, 0);
  rows.push(['rest: session regenerate + cookies, Passport, audit/glue, GC, await hops', totalMs - accounted]);
  return rows;
}

function printPhases(rows: [string, number][], totalMs: number, n: number): void {
  console.log(
    `\nPhase breakdown: HTTP POST /saml/acs/${IDP}, concurrency 1, ${n} responses, on an instrumented copy of the service`,
  );
  console.log('(* timed on its own over the same responses; ** a separate batch; the rest timed in place)\n');
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`${'phase'.padEnd(width)}  ms/response  share`);
  for (const [name, ms] of rows)
    console.log(
      `${name.padEnd(width)}  ${ms.toFixed(3).padStart(11)}  ${((ms / totalMs) * 100).toFixed(1).padStart(5)}%`,
    );
  console.log(`${'total (HTTP ACS, instrumented)'.padEnd(width)}  ${totalMs.toFixed(3).padStart(11)}  100.0%`);
}

export async function phaseBreakdown(dir: string, bare: SAML): Promise<void> {
  const times: PhaseTimes = new Map();
  const service = await startService(dir, 'phases', {
    wrapStore: (s) => timedStore(s, times),
    extraRouters: [noopAcsRouter()],
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const inPlace = await measureInPlace(service, agent, times);
    const pure = await timePureSteps(service, bare, inPlace.measured);
    const n = inPlace.measured.length;
    printPhases(phaseRows(inPlace, pure), (inPlace.total * 1000) / n, n);
  } finally {
    agent.destroy();
    await stopService(service);
  }
}
