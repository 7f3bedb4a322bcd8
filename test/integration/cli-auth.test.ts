// The CLI's browser sign-in over HTTP against the real app: approval in a signed-in session, the
// one-time code bound to PKCE, redirect URI and state; every refusal with its code and its audit
// line. (Tokens: cli-tokens.test.ts; limits and CA bundles: cli-endpoints.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../support/app-harness.ts';
import {
  approvedCode,
  authorizeParams,
  authorizePath,
  bearer,
  decideInBrowser,
  redeemBody,
  tokenRequest,
} from '../support/cli-flow.ts';
import { audit, cliClock, freshSignedInHarness, refusedCodes } from '../support/cli-auth-steps.ts';

let h: AppHarness;

describe('CLI sign-in: authorization code with PKCE', () => {
  freshSignedInHarness((started) => (h = started));

  it('approves, redeems the code once for a token, and the token works with no cookie and no CSRF token', async () => {
    const p = authorizeParams();
    const page = await (await h.client.get(authorizePath(p), { accept: 'text/html' })).text();
    assert.match(page, /redshift-sso CLI on test-host/, 'the page names the client');
    assert.match(page, /port <code>53682<\/code>/, 'and its loopback port');
    const code = await approvedCode(h.client, p);
    assert.match(code, /^[A-Za-z0-9_-]{43}$/, '256-bit code');

    const answer = await tokenRequest(h.baseUrl, redeemBody(p, code));
    assert.equal(answer.status, 200);
    const token = answer.body.access_token ?? '';
    assert.match(token, /^rsso_[A-Za-z0-9_-]{43}$/, 'an opaque 256-bit token');
    const stored = await h.service.store.findCliToken(token);
    assert.equal(stored, null, 'the token itself is not a key in the store');

    const me = await bearer(h.baseUrl, token, '/api/me');
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { nameId: string }).nameId, 'alice@example.com');
    const issued = await bearer(h.baseUrl, token, '/api/credentials', { cluster: 'analytics' });
    assert.equal(issued.status, 200, await issued.clone().text());
    assert.equal(((await issued.json()) as { dbUser: string }).dbUser, 'IAM:alice');

    const granted = await audit(h, 'cli_authorized');
    assert.deepEqual(
      granted.map((e) => [e.outcome, e.nameId, e.details?.grant]),
      [['ok', 'alice@example.com', 'code']],
    );
    const tokens = await audit(h, 'cli_token_issued');
    assert.equal(tokens.length, 1);
    const [credentials] = await audit(h, 'credentials_issued');
    assert.equal(
      credentials?.details?.cliTokenId,
      tokens[0]?.details?.tokenId,
      'credentials issued through a token name it',
    );
    assert.ok(!JSON.stringify(await h.service.store.queryAudit({})).includes(token), 'no token in the audit trail');
    assert.ok(!h.logs.join('\n').includes(token) && !h.logs.join('\n').includes(code), 'no token or code in the logs');
  });

  const refusals: Array<
    [string, (p: ReturnType<typeof authorizeParams>, code: string) => Record<string, unknown>, string]
  > = [
    [
      'a wrong PKCE verifier',
      (p, code) => redeemBody(p, code, { code_verifier: 'x'.repeat(43) }),
      'PKCE_VERIFIER_MISMATCH',
    ],
    ['a wrong state', (p, code) => redeemBody(p, code, { state: 'another-state-value' }), 'CLI_STATE_MISMATCH'],
    [
      'another redirect URI',
      (p, code) => redeemBody(p, code, { redirect_uri: 'http://127.0.0.1:1234/callback' }),
      'CLI_REDIRECT_URI_MISMATCH',
    ],
  ];
  for (const [what, body, code] of refusals) {
    it(`refuses ${what} with ${code}, audits it, and burns the code`, async () => {
      const p = authorizeParams();
      const oneTime = await approvedCode(h.client, p);
      const refused = await tokenRequest(h.baseUrl, body(p, oneTime));
      assert.deepEqual([refused.status, refused.body.error, refused.body.code], [400, 'invalid_grant', code]);
      assert.equal(refused.body.access_token, undefined);
      const retry = await tokenRequest(h.baseUrl, redeemBody(p, oneTime));
      assert.equal(retry.body.code, 'CLI_CODE_INVALID', 'the code was single use even when refused');
      assert.deepEqual(await refusedCodes(h), ['CLI_CODE_INVALID', code]);
      assert.equal(
        (await audit(h, 'cli_refused'))[1]?.nameId,
        'alice@example.com',
        'the refusal names whose code it was',
      );
    });
  }

  it('refuses a reused code with CLI_CODE_INVALID and audits it', async () => {
    const p = authorizeParams();
    const code = await approvedCode(h.client, p);
    assert.equal((await tokenRequest(h.baseUrl, redeemBody(p, code))).status, 200);
    const again = await tokenRequest(h.baseUrl, redeemBody(p, code));
    assert.deepEqual([again.status, again.body.code], [400, 'CLI_CODE_INVALID']);
    assert.deepEqual(await refusedCodes(h), ['CLI_CODE_INVALID']);
  });

  it('refuses a code redeemed after its 60 s with CLI_CODE_EXPIRED and audits it', async () => {
    const p = authorizeParams();
    const code = await approvedCode(h.client, p);
    cliClock.offsetMs = 61_000;
    const late = await tokenRequest(h.baseUrl, redeemBody(p, code));
    assert.deepEqual([late.status, late.body.code], [400, 'CLI_CODE_EXPIRED']);
    assert.deepEqual(await refusedCodes(h), ['CLI_CODE_EXPIRED']);
  });

  it('mints no token once the role sessions have ended (AWS_SESSION_EXPIRED, audited)', async () => {
    const roleSessionEnd = (await h.roleSessionsOf())[0]?.expiration.getTime() ?? 0;
    cliClock.offsetMs = roleSessionEnd - Date.now() + 1000;
    const p = authorizeParams();
    const page = await (await h.client.get(authorizePath(p), { accept: 'text/html' })).text();
    assert.match(page, /Your AWS role sessions have ended/);
    const refused = await tokenRequest(h.baseUrl, redeemBody(p, await approvedCode(h.client, p)));
    assert.deepEqual(
      [refused.status, refused.body.error, refused.body.code],
      [401, 'invalid_grant', 'AWS_SESSION_EXPIRED'],
    );
    assert.deepEqual(await refusedCodes(h), ['AWS_SESSION_EXPIRED']);
  });

  it('sends a denial back to the CLI as access_denied, issues no code, and audits it', async () => {
    const p = authorizeParams();
    const back = await decideInBrowser(h.client, p, 'deny');
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('code'), null);
    const [denied] = await audit(h, 'cli_authorized');
    assert.deepEqual([denied?.outcome, denied?.code], ['refused', 'CLI_DENIED_BY_USER']);
  });

  it('shows no approval for a redirect URI that is not loopback, nor without PKCE S256', async () => {
    for (const bad of [
      { redirect_uri: 'https://attacker.example/cb' },
      { redirect_uri: 'http://localhost:5000/cb' },
      { redirect_uri: 'http://127.0.0.1/cb' },
      { code_challenge_method: 'plain' },
    ]) {
      const res = await h.client.get(authorizePath(authorizeParams(bad)), { accept: 'application/json' });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CLI_AUTHORIZE_INVALID');
    }
  });

  it('never mints a code from a link alone: signed-out goes to sign-in, a POST needs the CSRF token', async () => {
    const p = authorizeParams();
    const anonymous = await h.newClient().get(authorizePath(p), { accept: 'text/html' });
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get('location') ?? '', /^\/login\?returnTo=%2Fcli%2Fauthorize%3F/);
    const { verifier: _v, ...fields } = p;
    const forged = await h.client.postForm(
      '/cli/authorize',
      { ...fields, decision: 'approve' },
      { accept: 'application/json' },
    );
    assert.equal(forged.status, 403);
    assert.equal(((await forged.json()) as { error: { code: string } }).error.code, 'CSRF_TOKEN_INVALID');
    assert.equal((await audit(h, 'cli_authorized')).length, 0);
  });
});
