// Concurrent browser-like traffic through the load balancer for the instance-failure test:
// workers sign in (GET /login, signed response to the ACS) and then alternate GET /api/me and
// POST /api/credentials, signing in again halfway; after `killAfter` answers, `kill` runs. A 502 or
// 504 from nginx (a POST that was in flight on the killed instance, which nginx rightly does not
// replay) is retried once, as a person would: credentials are asked again, a sign-in starts over
// with a fresh AuthnRequest. So is a connection nginx had to close because the instance died after
// it had started answering (nothing left to retry on nginx's side). Anything else is a failure.
import { randomUUID } from 'node:crypto';
import type { CookieClient } from './cookie-client.ts';
import { HA_CLUSTER, HA_IDP, upstreamOf, type TwoInstances } from './two-instances.ts';

export interface TrafficOptions {
  workers: number;
  rounds: number;
  killAfter: number;
  kill: () => void;
}

export interface TrafficResult {
  failures: string[];
  /** Every signed-in client, to check afterwards that its session survived. */
  sessions: CookieClient[];
  /** X-Request-Id of every sign-in and credential the clients received: each must be audited. */
  successIds: string[];
  /** Answers by the instance (last X-Upstream address) that gave them. */
  answeredBy: Map<string, number>;
  retried: string[];
  getsRetriedByClient: number;
}

const GATEWAY_ERRORS = new Set([502, 503, 504]);

/** undici's error when the other side closed the connection mid-answer. */
function isConnectionCut(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = error.cause as { code?: string } | undefined;
  return error.message === 'terminated' || cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET';
}

/** The answer read whole, or `cut` when the connection closed before it was complete. */
async function readWhole(attempt: () => Promise<Response>): Promise<{ res: Response; body: string } | 'cut'> {
  try {
    const res = await attempt();
    return { res, body: await res.text() };
  } catch (error) {
    if (isConnectionCut(error)) return 'cut';
    throw error;
  }
}

export async function runTraffic(h: TwoInstances, options: TrafficOptions): Promise<TrafficResult> {
  const result: TrafficResult = {
    failures: [],
    sessions: [],
    successIds: [],
    answeredBy: new Map(),
    retried: [],
    getsRetriedByClient: 0,
  };
  let answered = 0;
  const tally = (res: Response) => {
    const last = upstreamOf(res).split(', ').at(-1) ?? '';
    result.answeredBy.set(last, (result.answeredBy.get(last) ?? 0) + 1);
    if (++answered === options.killAfter) options.kill();
  };
  /**
   * One request, retried once after a gateway error or a cut connection; the answer when it is `ok`, else a failure is
   * noted.
   */
  const send = async (
    label: string,
    ok: number,
    attempt: (headers: Record<string, string>) => Promise<Response>,
  ): Promise<{ res: Response; id: string } | undefined> => {
    for (let tries = 0; tries < 2; tries++) {
      const id = randomUUID();
      const answer = await readWhole(() => attempt({ accept: 'application/json', 'x-request-id': id }));
      if (answer === 'cut') {
        result.retried.push(`${label} (connection cut mid-answer)`);
        if (tries === 1) result.failures.push(`${label}: connection cut twice`);
        continue;
      }
      const { res, body } = answer;
      tally(res);
      if (res.status === ok) return { res, id };
      if (!GATEWAY_ERRORS.has(res.status) || tries === 1) {
        result.failures.push(`${label}: ${res.status} via ${upstreamOf(res)}: ${body.slice(0, 300)}`);
        return undefined;
      }
      result.retried.push(`${label} (${res.status} via ${upstreamOf(res)})`);
    }
    return undefined;
  };

  const signIn = async (label: string): Promise<CookieClient | undefined> => {
    for (let tries = 0; tries < 2; tries++) {
      const client = h.newClient();
      let samlResponse: string;
      try {
        samlResponse = await h.samlResponse(client);
      } catch (error) {
        if (!isConnectionCut(error)) throw error;
        result.retried.push(`${label} GET /login (connection cut mid-answer)`);
        continue;
      }
      const id = randomUUID();
      const answer = await readWhole(() =>
        client.postForm(
          `/saml/acs/${HA_IDP}`,
          { SAMLResponse: samlResponse },
          { accept: 'application/json', 'x-request-id': id },
        ),
      );
      if (answer === 'cut') {
        result.retried.push(`${label} sign-in (connection cut mid-answer)`);
        continue;
      }
      const { res, body } = answer;
      tally(res);
      if (res.status === 303) {
        result.successIds.push(id);
        result.sessions.push(client);
        return client;
      }
      if (!GATEWAY_ERRORS.has(res.status) || tries === 1) {
        result.failures.push(`${label} sign-in: ${res.status} via ${upstreamOf(res)}: ${body.slice(0, 300)}`);
        return undefined;
      }
      result.retried.push(`${label} sign-in (${res.status} via ${upstreamOf(res)})`);
    }
    result.failures.push(`${label} sign-in: connection cut twice`);
    return undefined;
  };

  const worker = async (w: number): Promise<void> => {
    let client = await signIn(`worker ${w}`);
    for (let round = 0; round < options.rounds && client !== undefined; round++) {
      if (round === Math.floor(options.rounds / 2)) client = await signIn(`worker ${w} round ${round}`);
      if (client === undefined) return;
      const c = client;
      await send(`worker ${w} GET /api/me`, 200, (headers) => c.get('/api/me', headers));
      const creds = await send(`worker ${w} POST /api/credentials`, 200, (headers) =>
        c.postJson('/api/credentials', { cluster: HA_CLUSTER }, headers),
      );
      if (creds !== undefined) result.successIds.push(creds.id);
    }
  };

  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  // A cut connection is not nginx's to retry: it had already passed part of the answer on.
  result.getsRetriedByClient = result.retried.filter(
    (label) => label.includes(' GET ') && !label.includes('connection cut'),
  ).length;
  return result;
}
