// Sends one fuzz input to the running service and judges the answer: bounded in time, never a 5xx
// (except 502 for an upstream AWS failure), never a stack trace, and a refusal always carries a
// documented, stable error code (JSON for API clients, the error page for browsers).
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE } from '../../src/error-catalogue.ts';

/** Every code the error catalogue (docs/errors.md) lists that a request can be answered with. */
export const DOCUMENTED_CODES: ReadonlySet<string> = new Set(
  Object.entries(ERROR_CATALOGUE)
    .filter(([, entry]) => entry.status !== null && (entry.status < 500 || entry.status === 502))
    .map(([code]) => code),
);

export const REQUEST_TIMEOUT_MS = 5_000;

export interface FuzzRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The answer is expected as JSON (an API client); otherwise as an HTML page. */
  json: boolean;
  /** A tighter bound than REQUEST_TIMEOUT_MS for this input (linear-time work on a bounded body). */
  timeoutMs?: number;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
}

export interface EndpointTally {
  inputs: number;
  serverErrors: number;
  slow: number;
  /** How often each outcome came back (an error code, or the status of a success): how deep inputs got. */
  outcomes: Map<string, number>;
}

export function tally(): EndpointTally {
  return { inputs: 0, serverErrors: 0, slow: 0, outcomes: new Map() };
}

export function countOutcome(count: EndpointTally, outcome: string): void {
  count.outcomes.set(outcome, (count.outcomes.get(outcome) ?? 0) + 1);
}

/** "fuzz <endpoint>: N inputs, 0 server errors", then the outcomes seen, most frequent first. */
export function summary(endpoint: string, count: EndpointTally): string {
  const slow = count.slow === 0 ? '' : `, ${count.slow} over the time bound`;
  const outcomes = [...count.outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `fuzz ${endpoint}: ${count.inputs} inputs, ${count.serverErrors} server errors${slow}\n  outcomes: ${outcomes}`;
}

/** Sends the request (bounded by an AbortSignal) and returns the whole answer, or fails as a hang. */
export async function send(baseUrl: string, req: FuzzRequest, count: EndpointTally): Promise<Answer> {
  count.inputs += 1;
  const timeoutMs = req.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const started = performance.now();
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL(req.path, baseUrl), {
      method: req.method ?? 'POST',
      headers: req.headers,
      // A copy typed over a plain ArrayBuffer, as fetch's BodyInit wants; it also sets no Content-Type.
      body: typeof req.body === 'string' || req.body === undefined ? req.body : new Uint8Array(req.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await res.text();
  } catch (err) {
    count.slow += 1;
    const e = err as Error;
    assert.fail(`no answer within ${REQUEST_TIMEOUT_MS} ms (${e.name}: ${e.message}) for ${describeRequest(req)}`);
  }
  const ms = performance.now() - started;
  if (ms > timeoutMs) {
    count.slow += 1;
    assert.fail(`answered after ${Math.round(ms)} ms (bound ${timeoutMs} ms) for ${describeRequest(req)}`);
  }
  return { status: res.status, headers: res.headers, text, ms };
}

/** The answer is a success the caller checks itself, or a well-formed refusal with a documented code. */
export function judge(req: FuzzRequest, answer: Answer, count: EndpointTally, errorLogs: readonly string[] = []): void {
  const where = `${describeRequest(req)} -> ${answer.status} ${answer.text.slice(0, 300)}`;
  const upstream = answer.status === 502 && /AWS_UNAVAILABLE|AWS_ERROR/.test(answer.text);
  if (answer.status >= 500 && !upstream) {
    count.serverErrors += 1;
    assert.fail(`server error for ${where}\nlast error log: ${errorLogs.at(-1)?.slice(0, 1500) ?? '(none)'}`);
  }
  assertNoLeak(answer.text, where);
  if (answer.status < 400) {
    countOutcome(count, String(answer.status));
    return;
  }
  const type = answer.headers.get('content-type') ?? '';
  if (req.json) {
    assert.match(type, /^application\/json/, `JSON error expected for ${where}`);
    const body = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
    const code = body.error?.code;
    countOutcome(count, String(code));
    assert.ok(
      typeof code === 'string' && DOCUMENTED_CODES.has(code),
      `documented error code expected, got ${String(code)} for ${where}`,
    );
    assert.ok(typeof body.error?.message === 'string' && body.error.message !== '', `error message for ${where}`);
    assert.equal(body.error?.requestId, answer.headers.get('x-request-id'), `request ID echoed for ${where}`);
  } else {
    assert.match(type, /^text\/html/, `error page expected for ${where}`);
    const code = /Error code <code>([A-Z0-9_]+)<\/code>/.exec(answer.text)?.[1];
    countOutcome(count, String(code));
    assert.ok(
      code !== undefined && DOCUMENTED_CODES.has(code),
      `error page with a documented code expected for ${where}`,
    );
  }
  assert.equal(answer.headers.get('cache-control'), 'no-store', `refusals are not cached: ${where}`);
}

/** A redirect stays on the service's own origin. */
export function assertSameOriginRedirect(baseUrl: string, answer: Answer, what: string): void {
  const location = answer.headers.get('location');
  assert.ok(location !== null, `a Location header (${what})`);
  assert.equal(
    new URL(location, baseUrl).origin,
    new URL(baseUrl).origin,
    `redirect to ${JSON.stringify(location)} leaves the service (${what})`,
  );
}

function assertNoLeak(text: string, where: string): void {
  assert.doesNotMatch(text, /^\s*at\s.+\(.+:\d+:\d+\)/m, `no stack frames in ${where}`);
  assert.doesNotMatch(text, /node_modules|\/src\/[\w/-]+\.ts/, `no source paths in ${where}`);
}

export function describeRequest(req: FuzzRequest): string {
  const body =
    req.body === undefined ? '' : typeof req.body === 'string' ? req.body : Buffer.from(req.body).toString('latin1');
  const shown =
    body.length > 200 ? `${JSON.stringify(body.slice(0, 200))}… (${body.length} chars)` : JSON.stringify(body);
  return `${req.method ?? 'POST'} ${req.path} ${JSON.stringify(req.headers ?? {})} ${shown}`;
}

/** Records unhandled rejections and uncaught exceptions while installed. */
export function installCrashRecorder(): { crashes: string[]; uninstall(): void } {
  const crashes: string[] = [];
  const onRejection = (reason: unknown): void => {
    crashes.push(`unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
  };
  const onException = (err: Error): void => {
    crashes.push(`uncaughtException: ${err.stack ?? err.message}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    crashes,
    uninstall() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

/** application/x-www-form-urlencoded, like a browser form (any string survives the round trip). */
export function formBody(fields: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) params.append(k, v);
  return params.toString();
}
