// The CLI's browser sign-in and its tokens, over HTTP against the real app: approval in a signed-in
// session, the one-time code bound to PKCE, redirect URI and state, bearer use of /api/me and
// /api/credentials, revocation; every refusal with its code and its audit line.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, type AppHarness } from '../support/app-harness.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { AWS_ROLE_SESSION_NAME } from '../support/sign-response.ts';
import {
  approvedCode,
  authorizeParams,
  authorizePath,
  bearer,
  decideInBrowser,
  redeemBody,
  tokenRequest,
} from '../support/cli-flow.ts';
import type { AuditEvent } from '../../src/store/ports.ts';
import { hashCliSecret } from '../../src/cli-auth/cli-tokens.ts';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

async function signedIn(h: AppHarness, client = h.client): Promise<void> {
  const res = await client.postForm(
    '/saml/acs/test',
    { SAMLResponse: await h.validResponse() },
    { accept: 'text/html' },
  );
  assert.equal(res.status, 303, 'sign-in succeeds');
}

/** SP-initiated sign-in of another person on another client. */
async function signInAs(h: AppHarness, client: CookieClient, nameId: string, sessionName: string): Promise<Response> {
  const inResponseTo = await h.startLogin('test', client);
  const samlResponse = await h.validResponse({
    inResponseTo,
    nameId,
    extraAttributes: { [AWS_ROLE_SESSION_NAME]: sessionName },
  });
  return client.postForm('/saml/acs/test', { SAMLResponse: samlResponse }, { accept: 'text/html' });
}

async function audit(h: AppHarness, kind: AuditEvent['kind']): Promise<AuditEvent[]> {
  return h.service.store.queryAudit({ kind });
}

async function refusedCodes(h: AppHarness): Promise<string[]> {
  return (await audit(h, 'cli_refused')).map((e) => e.code ?? '?');
}

async function aToken(h: AppHarness): Promise<string> {
  const p = authorizeParams();
  const answer = await tokenRequest(h.baseUrl, redeemBody(p, await approvedCode(h.client, p)));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.access_token ?? '';
}

let h: AppHarness;
/** Each test of the calling describe: a fresh harness on the adjustable clock, its client signed in. */
function freshSignedInHarness(): void {
  beforeEach(async () => {
    offsetMs = 0;
    h = await startAppHarness({ now: clock });
    await signedIn(h);
  });
  afterEach(async () => {
    await h.close();
  });
}

describe('CLI sign-in: authorization code with PKCE', () => {
  freshSignedInHarness();

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
    offsetMs = 61_000;
    const late = await tokenRequest(h.baseUrl, redeemBody(p, code));
    assert.deepEqual([late.status, late.body.code], [400, 'CLI_CODE_EXPIRED']);
    assert.deepEqual(await refusedCodes(h), ['CLI_CODE_EXPIRED']);
  });

  it('mints no token once the role sessions have ended (AWS_SESSION_EXPIRED, audited)', async () => {
    const roleSessionEnd = (await h.roleSessionsOf())[0]?.expiration.getTime() ?? 0;
    offsetMs = roleSessionEnd - Date.now() + 1000;
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

describe('CLI tokens', () => {
  freshSignedInHarness();

  it('refuses unknown and malformed tokens with TOKEN_INVALID and audits them', async () => {
    const unknown = await bearer(h.baseUrl, 'rsso_' + 'A'.repeat(43), '/api/me');
    assert.equal(unknown.status, 401);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'TOKEN_INVALID');
    const malformed = await fetch(new URL('/api/me', h.baseUrl), {
      headers: { authorization: 'Basic abc', accept: 'application/json' },
    });
    assert.equal(malformed.status, 401);
    assert.deepEqual(await refusedCodes(h), ['TOKEN_INVALID']);
  });

  it('lists the token on the user’s page, revokes it there, and then refuses it with TOKEN_REVOKED', async () => {
    const token = await aToken(h);
    const page = await (await h.client.get('/cli/tokens', { accept: 'text/html' })).text();
    const id = /data-token-id="([^"]+)"/.exec(page)?.[1] ?? '';
    assert.match(page, /redshift-sso CLI on test-host/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const revoked = await h.client.postForm(`/cli/tokens/${id}/revoke`, { _csrf: csrf }, { accept: 'text/html' });
    assert.equal(revoked.status, 303);
    const refused = await bearer(h.baseUrl, token, '/api/credentials', { cluster: 'analytics' });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TOKEN_REVOKED');
    assert.deepEqual(
      (await audit(h, 'cli_token_revoked')).map((e) => e.details?.by),
      ['web'],
    );
    assert.deepEqual(await refusedCodes(h), ['TOKEN_REVOKED']);
    assert.doesNotMatch(await (await h.client.get('/cli/tokens', { accept: 'text/html' })).text(), /data-token-id=/);
  });

  it('revokes itself through /api/cli/revoke (redshift-sso logout)', async () => {
    const token = await aToken(h);
    const res = await fetch(new URL('/api/cli/revoke', h.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    assert.equal(res.status, 200);
    assert.equal((await bearer(h.baseUrl, token, '/api/me')).status, 401);
    assert.deepEqual(
      (await audit(h, 'cli_token_revoked')).map((e) => e.details?.by),
      ['cli'],
    );
  });

  it("refuses to revoke another user's token with CLI_TOKEN_NOT_FOUND, audited, and the token keeps working", async () => {
    const token = await aToken(h);
    const [issued] = await audit(h, 'cli_token_issued');
    const bob = h.newClient();
    const res = await signInAs(h, bob, 'bob@example.com', 'bob');
    assert.equal(res.status, 303);
    const page = await (await bob.get('/cli/tokens', { accept: 'text/html' })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const refused = await bob.postForm(
      `/cli/tokens/${String(issued?.details?.tokenId)}/revoke`,
      { _csrf: csrf },
      { accept: 'application/json' },
    );
    assert.equal(refused.status, 404);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'CLI_TOKEN_NOT_FOUND');
    const [line] = await audit(h, 'cli_refused');
    assert.deepEqual([line?.code, line?.nameId], ['CLI_TOKEN_NOT_FOUND', 'bob@example.com']);
    assert.equal((await bearer(h.baseUrl, token, '/api/me')).status, 200, "alice's token still works");
  });

  it('ends with the role sessions it stands for: TOKEN_EXPIRED afterwards', async () => {
    const token = await aToken(h);
    const [issued] = await audit(h, 'cli_token_issued');
    const roleSessionEnd = (await h.roleSessionsOf())[0]?.expiration.getTime() ?? 0;
    assert.equal(issued?.expiresAt?.getTime(), roleSessionEnd, 'the token ends exactly with the role session');
    offsetMs = roleSessionEnd - Date.now() + 1000;
    const refused = await bearer(h.baseUrl, token, '/api/me');
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TOKEN_EXPIRED');
  });

  it('describes the JSON API at /api/openapi.json', async () => {
    const doc = (await (await fetch(new URL('/api/openapi.json', h.baseUrl))).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/cli/device',
      '/api/cli/revoke',
      '/api/cli/token',
      '/api/credentials',
      '/api/me',
      '/ca/{cluster}.pem',
    ]);
  });
});

describe('CLI endpoints: limits, sealing and CA bundles', () => {
  it('rate-limits the CLI pages and token endpoints per client IP', async () => {
    const h = await startAppHarness({ rateLimit: { api: 3 } });
    try {
      const device = () =>
        fetch(new URL('/api/cli/device', h.baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
      for (let i = 0; i < 3; i += 1) assert.equal((await device()).status, 200);
      const limited = await device();
      assert.equal(limited.status, 429);
      assert.equal(((await limited.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
      for (let i = 0; i < 3; i += 1) await h.newClient().get('/cli/device', { accept: 'application/json' });
      assert.equal((await h.newClient().get('/cli/device', { accept: 'application/json' })).status, 429);
    } finally {
      await h.close();
    }
  });

  it('keeps the token’s role sessions sealed: no AWS secret in its stored row', async () => {
    const h = await startAppHarness();
    try {
      await signedIn(h);
      const token = await aToken(h);
      const [session] = await h.roleSessionsOf();
      const row = await h.service.store.findCliToken(hashCliSecret(token));
      assert.ok(row !== null && session !== undefined);
      assert.ok(
        !row.user.includes(session.secretAccessKey) && !row.user.includes(session.sessionToken),
        'sealed, not in clear',
      );
    } finally {
      await h.close();
    }
  });

  it('serves a cluster’s CA bundle at a stable URL and names the client’s copy as sslrootcert', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const h = await startAppHarness({
      clusters: [
        {
          id: 'analytics',
          clusterIdentifier: 'analytics-cluster',
          caBundle: pem,
          roles: ['arn:aws:iam::123456789012:role/RedshiftAnalyst'],
        },
      ],
    });
    try {
      const res = await fetch(new URL('/ca/analytics.pem', h.baseUrl));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), pem);
      assert.match(res.headers.get('content-disposition') ?? '', /filename="redshift-sso-analytics-ca.pem"/);
      const missing = await fetch(new URL('/ca/nope.pem', h.baseUrl), { headers: { accept: 'application/json' } });
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'CA_BUNDLE_NOT_FOUND');
      await signedIn(h);
      const token = await aToken(h);
      const issued = (await (
        await bearer(h.baseUrl, token, '/api/credentials', {
          cluster: 'analytics',
          caFile: '/home/alice/.config/redshift-sso/ca/x/analytics.pem',
        })
      ).json()) as { caBundleUrl: string; sslRootCert: string; connectionStrings: { uri: string } };
      assert.equal(issued.caBundleUrl, `${h.baseUrl}/ca/analytics.pem`);
      assert.equal(issued.sslRootCert, '/home/alice/.config/redshift-sso/ca/x/analytics.pem');
      assert.equal(new URL(issued.connectionStrings.uri).searchParams.get('sslrootcert'), issued.sslRootCert);
      const bad = await bearer(h.baseUrl, token, '/api/credentials', {
        cluster: 'analytics',
        caFile: 'relative/path\n',
      });
      assert.equal(bad.status, 400);
    } finally {
      await h.close();
    }
  });
});
