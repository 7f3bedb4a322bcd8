// The CLI endpoints' limits (per client IP), the token's role sessions sealed in its stored row, and
// a cluster's CA bundle served at a stable URL and named as the client's sslrootcert.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness } from '../support/app-harness.ts';
import { TEST_CA_PEM, startCaBundleHarness } from '../support/ca-bundle.ts';
import { bearer } from '../support/cli-flow.ts';
import { aToken, signedIn } from '../support/cli-auth-steps.ts';
import { hashCliSecret } from '../../src/cli-auth/cli-tokens.ts';

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
    const h = await startCaBundleHarness();
    try {
      const res = await fetch(new URL('/ca/analytics.pem', h.baseUrl));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), TEST_CA_PEM);
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
