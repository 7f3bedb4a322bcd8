// The CLI's headless sign-in (RFC 8628 shape) over HTTP: start, poll (pending, slow_down),
// approve or deny the user code in a signed-in session, expiry; and a token refused once its IdP
// is gone. Every refusal with its code and its audit line.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, type AppHarness } from '../support/app-harness.ts';
import { explicitIdpFields, clusterFields, ADMIN_GROUP } from '../support/admin-forms.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { approvedCode, authorizeParams, bearer, redeemBody, tokenRequest } from '../support/cli-flow.ts';
import { hiddenFields } from '../support/http-flow.ts';
import { DEVICE_GRANT_TYPE } from '../../src/web/routes/cli-api.ts';
import type { DeviceStart } from '../../src/cli/login-device.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../support/run-cli.ts';
import { setupTokenClient } from '../support/admin-pages.ts';

let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

async function startDevice(h: AppHarness): Promise<DeviceStart> {
  const res = await fetch(new URL('/api/cli/device', h.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=redshift-sso-cli&client_name=cron%20box',
  });
  assert.equal(res.status, 200);
  return (await res.json()) as DeviceStart;
}

const poll = (h: AppHarness, deviceCode: string) =>
  tokenRequest(h.baseUrl, { grant_type: DEVICE_GRANT_TYPE, device_code: deviceCode });

async function decide(client: CookieClient, userCode: string, decision: 'approve' | 'deny'): Promise<Response> {
  const page = await client.get(`/cli/device?user_code=${encodeURIComponent(userCode)}`, { accept: 'text/html' });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, new RegExp(userCode), 'the page shows the code to compare');
  assert.match(html, /cron box/, 'and the client');
  return client.postForm('/cli/device', { ...hiddenFields(html), decision }, { accept: 'text/html' });
}

describe('CLI sign-in: device code', () => {
  let h: AppHarness;
  beforeEach(async () => {
    offsetMs = 0;
    h = await startAppHarness({ now: clock });
    assert.equal((await h.signIn()).status, 303);
  });
  afterEach(async () => {
    await h.close();
  });

  it('shows codes, answers pending then slow_down, and gives a token once approved', async () => {
    const started = await startDevice(h);
    assert.match(started.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    assert.equal(started.verification_uri, `${h.baseUrl}/cli/device`);
    assert.deepEqual([started.expires_in, started.interval], [600, 5]);
    const first = await poll(h, started.device_code);
    assert.deepEqual(
      [first.status, first.body.error, first.body.code],
      [400, 'authorization_pending', 'CLI_AUTHORIZATION_PENDING'],
    );
    const hasty = await poll(h, started.device_code);
    assert.deepEqual([hasty.body.error, hasty.body.code], ['slow_down', 'CLI_SLOW_DOWN']);
    offsetMs += 11_000;
    assert.equal(
      (await poll(h, started.device_code)).body.error,
      'authorization_pending',
      'after the longer interval: pending again',
    );

    assert.equal((await decide(h.client, started.user_code, 'approve')).status, 200);
    const granted = await poll(h, started.device_code);
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.equal((await bearer(h.baseUrl, granted.body.access_token ?? '', '/api/me')).status, 200);
    const again = await poll(h, started.device_code);
    assert.equal(again.body.code, 'CLI_DEVICE_CODE_INVALID', 'the device code is single use');
    const audit = await h.service.store.queryAudit({});
    assert.deepEqual(
      audit
        .filter((e) => e.kind.startsWith('cli_'))
        .map((e) => `${e.kind}:${e.code ?? e.outcome}`)
        .reverse(),
      ['cli_authorized:ok', 'cli_token_issued:ok', 'cli_refused:CLI_DEVICE_CODE_INVALID'],
    );
  });

  it('answers a denial with access_denied (403), audited on both sides', async () => {
    const started = await startDevice(h);
    await decide(h.client, started.user_code, 'deny');
    const denied = await poll(h, started.device_code);
    assert.deepEqual([denied.status, denied.body.error, denied.body.code], [403, 'access_denied', 'CLI_ACCESS_DENIED']);
    const codes = (await h.service.store.queryAudit({})).filter((e) => e.kind.startsWith('cli_')).map((e) => e.code);
    assert.deepEqual(codes.reverse(), ['CLI_DENIED_BY_USER', 'CLI_ACCESS_DENIED']);
  });

  it('answers expired_token once the device code has expired, and refuses its user code', async () => {
    const started = await startDevice(h);
    offsetMs = 601_000;
    const late = await poll(h, started.device_code);
    assert.deepEqual([late.status, late.body.error, late.body.code], [400, 'expired_token', 'CLI_DEVICE_CODE_EXPIRED']);
    const page = await h.client.get(`/cli/device?user_code=${started.user_code}`, { accept: 'application/json' });
    assert.equal(((await page.json()) as { error: { code: string } }).error.code, 'CLI_USER_CODE_EXPIRED');
  });

  it('refuses unknown and used user codes with CLI_USER_CODE_INVALID, audited', async () => {
    const unknown = await h.client.get('/cli/device?user_code=BBBB-BBBB', { accept: 'application/json' });
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'CLI_USER_CODE_INVALID');
    const started = await startDevice(h);
    await decide(h.client, started.user_code, 'approve');
    const reused = await h.client.get(`/cli/device?user_code=${started.user_code}`, { accept: 'application/json' });
    assert.equal(((await reused.json()) as { error: { code: string } }).error.code, 'CLI_USER_CODE_INVALID');
    assert.deepEqual(
      (await h.service.store.queryAudit({ kind: 'cli_refused' })).map((e) => [e.code, e.nameId]),
      [
        ['CLI_USER_CODE_INVALID', 'alice@example.com'],
        ['CLI_USER_CODE_INVALID', 'alice@example.com'],
      ],
    );
  });
});

describe('redshift-sso login --device when nobody approves', () => {
  it('exits 3 with the reason once the code has expired', async () => {
    offsetMs = 0;
    const h = await startAppHarness({ now: clock, config: { cli: { pollIntervalSeconds: 1 } } });
    const home = mkdtempSync(join(tmpdir(), 'redshift-sso-cli-'));
    try {
      const cli = startCli(['login', '--device', '--server', h.baseUrl], {
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        REDSHIFT_SSO_SERVER: '',
      });
      await cli.waitForStderr(/^\s{4}[A-Z]{4}-[A-Z]{4}$/m);
      offsetMs = 601_000;
      const result = await cli.done;
      assert.equal(result.code, 3);
      assert.match(result.stderr, /Nobody approved this sign-in in time.*CLI_DEVICE_CODE_EXPIRED/);
      assert.deepEqual(
        (await h.service.store.queryAudit({ kind: 'cli_refused' })).map((e) => e.code),
        ['CLI_DEVICE_CODE_EXPIRED'],
      );
    } finally {
      await h.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('CLI tokens and the IdP behind them', () => {
  it('refuses a token with IDP_DISABLED once its IdP is removed, audited', async () => {
    const h = await startAppHarness({ admin: true });
    try {
      const admin = await setupTokenClient(h);
      assert.equal((await h.post(admin, '/admin/clusters', clusterFields('analytics'))).status, 303);
      await h.saveFirstIdp(admin, explicitIdpFields('corp'));
      const alice = h.newClient();
      assert.equal((await h.signIn(alice, 'corp')).res.status, 303);
      const p = authorizeParams();
      const token =
        (await tokenRequest(h.baseUrl, redeemBody(p, await approvedCode(alice, p)))).body.access_token ?? '';
      assert.equal((await bearer(h.baseUrl, token, '/api/credentials', { cluster: 'analytics' })).status, 200);

      const owner = h.newClient();
      assert.equal((await h.signIn(owner, 'corp', { groups: [ADMIN_GROUP] })).res.status, 303);
      assert.equal((await h.post(owner, '/admin/idps/corp/delete', {})).status, 303);
      for (const path of ['/api/me', '/api/credentials']) {
        const refused = await bearer(h.baseUrl, token, path, path === '/api/me' ? undefined : { cluster: 'analytics' });
        assert.equal(refused.status, 401, path);
        assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'IDP_DISABLED');
      }
      const lines = await h.service.store.queryAudit({ kind: 'cli_refused' });
      assert.deepEqual(
        lines.map((e) => [e.code, e.idpId]),
        [
          ['IDP_DISABLED', 'corp'],
          ['IDP_DISABLED', 'corp'],
        ],
      );
    } finally {
      await h.close();
    }
  });
});
