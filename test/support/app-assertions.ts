// Assertions shared by the integration tests: the error shape every refusal must have (stable code,
// request ID, never a 500 or a stack trace) and "AWS was never asked" for refused sign-ins.
import assert from 'node:assert/strict';
import { type AppHarness } from './app-harness.ts';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** No stack frames, no source paths, no library internals in what a client sees. */
export function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /^\s*at\s/m, 'no "at " stack frames');
  assert.doesNotMatch(text, /\bat (?:async )?[\w.<>]+ \(/, 'no "at fn (" stack frames');
  assert.doesNotMatch(text, /\.(?:ts|js|mjs|cjs):\d+:\d+/, 'no file:line:column references');
  assert.doesNotMatch(text, /node_modules/, 'no node_modules paths');
}

/** Reads a JSON error answer and checks status, code (one of `codes`), request ID and no stack. */
export async function assertJsonError(
  res: Response,
  status: number,
  codes: string | readonly string[],
): Promise<ErrorBody['error']> {
  const text = await res.text();
  const allowed = typeof codes === 'string' ? [codes] : codes;
  assert.notEqual(res.status, 500, `never a 500 (body: ${text.slice(0, 300)})`);
  assert.equal(res.status, status, `status (body: ${text.slice(0, 300)})`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text) as ErrorBody;
  assert.ok(allowed.includes(body.error.code), `code ${body.error.code} is one of ${allowed.join(', ')}`);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'a message');
  assert.match(body.error.requestId, /^[A-Za-z0-9._-]{8,64}$/, 'a request ID');
  assert.equal(res.headers.get('x-request-id'), body.error.requestId, 'the request ID is also in X-Request-Id');
  assertNoStackTrace(text);
  return body.error;
}

/** Posts through `post`, expects the refusal, and checks AWS STS was never called for it. */
export async function assertAcsRefused(
  h: AppHarness,
  post: () => Promise<Response>,
  status: number,
  codes: string | readonly string[],
): Promise<ErrorBody['error']> {
  const mark = h.emulator.calls.length;
  const error = await assertJsonError(await post(), status, codes);
  const sts = h.callsSince(mark).filter((c) => c.action === 'AssumeRoleWithSAML');
  assert.deepEqual(sts, [], 'no AssumeRoleWithSAML for a refused response');
  return error;
}
