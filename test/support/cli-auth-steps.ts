// The CLI sign-in tests' shared steps on a harness: sign the harness's client in (or another person
// on another client), get a CLI token by the code grant, read the audit trail, and a fresh
// signed-in harness per test on a clock the test can move on.
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/store/ports.ts';
import { harnessForEachTest, startAppHarness, type AppHarness } from './app-harness.ts';
import { approvedCode, authorizeParams, redeemBody, tokenRequest } from './cli-flow.ts';
import type { CookieClient } from './cookie-client.ts';
import { AWS_ROLE_SESSION_NAME } from './sign-response.ts';

/** The app's clock in these tests: real time moved on by `offsetMs`. */
export const cliClock = { offsetMs: 0, now: (): Date => new Date(Date.now() + cliClock.offsetMs) };

export async function signedIn(h: AppHarness, client = h.client): Promise<void> {
  const res = await client.postForm(
    '/saml/acs/test',
    { SAMLResponse: await h.validResponse() },
    { accept: 'text/html' },
  );
  assert.equal(res.status, 303, 'sign-in succeeds');
}

/** SP-initiated sign-in of another person on another client. */
export async function signInAs(
  h: AppHarness,
  client: CookieClient,
  nameId: string,
  sessionName: string,
): Promise<Response> {
  const inResponseTo = await h.startLogin('test', client);
  const samlResponse = await h.validResponse({
    inResponseTo,
    nameId,
    extraAttributes: { [AWS_ROLE_SESSION_NAME]: sessionName },
  });
  return client.postForm('/saml/acs/test', { SAMLResponse: samlResponse }, { accept: 'text/html' });
}

export async function audit(h: AppHarness, kind: AuditEvent['kind']): Promise<AuditEvent[]> {
  return h.service.store.queryAudit({ kind });
}

export async function refusedCodes(h: AppHarness): Promise<string[]> {
  return (await audit(h, 'cli_refused')).map((e) => e.code ?? '?');
}

export async function aToken(h: AppHarness): Promise<string> {
  const p = authorizeParams();
  const answer = await tokenRequest(h.baseUrl, redeemBody(p, await approvedCode(h.client, p)));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.access_token ?? '';
}

/** Each test of the calling describe: a fresh harness on cliClock (reset), its client signed in. */
export function freshSignedInHarness(started: (h: AppHarness) => void): void {
  harnessForEachTest(async () => {
    cliClock.offsetMs = 0;
    const h = await startAppHarness({ now: cliClock.now });
    started(h);
    await signedIn(h);
    return h;
  });
}
