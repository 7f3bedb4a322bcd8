// Floods get a clear 429 with Retry-After, per client and per bucket.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/logger.ts';
import type { RedshiftApi, StsApi } from '../../src/aws/ports.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';

function build() {
  const config = buildConfig({
    server: { baseUrl: 'http://sso.example.com', sessionSecret: testSessionSecret(), trustProxy: true, rateLimit: { windowSeconds: 60, login: 3, acs: 2, api: 2 } },
    idps: [{ id: 'corp', entityId: TEST_IDP_ISSUER, ssoUrl: 'https://idp.example.com/sso', certs: [fixtureKeys.idp.certificate] }],
    clusters: [{ id: 'c1', clusterIdentifier: 'c1', roles: [TEST_ROLE_ARN] }],
    store: { url: 'sqlite::memory:' },
  });
  return createApp(config, { logger: createLogger({ level: 'silent' }), sts: {} as StsApi, redshift: {} as RedshiftApi });
}

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a client exceeds the ACS limit', async () => {
    const { app, close } = build();
    const post = () => request(app).post('/saml/acs/corp').set('x-forwarded-for', '198.51.100.7').set('accept', 'application/json').type('form').send({ SAMLResponse: 'bm90IHhtbA==' });
    assert.equal((await post()).status, 400);
    assert.equal((await post()).status, 400);
    const limited = await post();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const other = await request(app).post('/saml/acs/corp').set('x-forwarded-for', '198.51.100.8').set('accept', 'application/json').type('form').send({ SAMLResponse: 'bm90IHhtbA==' });
    assert.equal(other.status, 400, 'another client is not affected');
    await close();
  });

  it('limits sign-in starts and API calls in their own buckets', async () => {
    const { app, close } = build();
    for (let i = 0; i < 3; i++) assert.equal((await request(app).get('/login/corp').set('x-forwarded-for', '198.51.100.9')).status, 302);
    assert.equal((await request(app).get('/login/corp').set('x-forwarded-for', '198.51.100.9')).status, 429);
    for (let i = 0; i < 2; i++) assert.equal((await request(app).get('/api/me').set('x-forwarded-for', '198.51.100.9')).status, 401);
    assert.equal((await request(app).get('/api/me').set('x-forwarded-for', '198.51.100.9')).status, 429);
    await close();
  });
});
