// CLI tokens over HTTP against the real app: bearer use of /api/me and /api/credentials, refusals,
// revocation on the user's page and by the CLI itself, and the end of the role sessions they stand for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../support/app-harness.ts';
import { bearer } from '../support/cli-flow.ts';
import { aToken, audit, cliClock, freshSignedInHarness, refusedCodes, signInAs } from '../support/cli-auth-steps.ts';

let h: AppHarness;

describe('CLI tokens', () => {
  freshSignedInHarness((started) => (h = started));

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
    cliClock.offsetMs = roleSessionEnd - Date.now() + 1000;
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
