// An IdP connection entered in the admin console keeps its own maxResponseAgeSeconds and
// maxAuthnAgeSeconds: the stored entry holds them (the console form may set them later) and the
// ACS enforces them, while a console connection without them gets the sp defaults.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, type AppHarness, TEST_CLUSTER_IDENTIFIER, TEST_SSO_URL } from '../../support/app-harness.ts';
import { errorCode } from '../../support/admin-forms.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../../support/sign-response.ts';

const MINUTE = 60_000;
const ago = (ms: number): Date => new Date(Date.now() - ms);

describe('console IdP connections with their own response and authentication age', () => {
  let h: AppHarness;

  before(async () => {
    h = await startAppHarness({
      admin: true,
      clusters: [{ id: 'warehouse', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    });
    const entry = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      entityId: TEST_IDP_ISSUER,
      ssoUrl: TEST_SSO_URL,
      certs: [fixtureKeys.idp.certificate],
      ...extra,
    });
    const put = (id: string, extra?: Record<string, unknown>) =>
      h.service.store.putConnection(
        { kind: 'idp', id, entry: entry(id, extra), updatedAt: new Date(), updatedBy: 'test' },
        0,
      );
    assert.ok(await put('strict', { maxResponseAgeSeconds: 60, maxAuthnAgeSeconds: 3600 }));
    assert.ok(await put('plain'));
    await h.service.registry.refresh();
  });
  after(() => h.close());

  it('carries the stored values into the connection the ACS uses', () => {
    const strict = h.service.sp.idp('strict');
    assert.equal(strict.maxResponseAgeSeconds, 60);
    assert.equal(strict.maxAuthnAgeSeconds, 3600);
    const plain = h.service.sp.idp('plain');
    assert.equal(plain.maxResponseAgeSeconds, 300);
    assert.equal(plain.maxAuthnAgeSeconds, undefined);
  });

  it('refuses a response 3 minutes old on the strict connection and accepts it on the other', async () => {
    const threeMinutes = { now: ago(3 * MINUTE), authnInstant: ago(3 * MINUTE), notBefore: ago(4 * MINUTE) };
    const strict = await h.signIn(h.newClient(), 'strict', { ...threeMinutes, json: true });
    assert.equal(strict.res.status, 401);
    assert.equal(await errorCode(strict.res), 'SAML_RESPONSE_TOO_OLD');
    assert.equal((await h.signIn(h.newClient(), 'plain', threeMinutes)).res.status, 303);
  });

  it('refuses an authentication 2 hours old on the strict connection only', async () => {
    const strict = await h.signIn(h.newClient(), 'strict', { authnInstant: ago(120 * MINUTE), json: true });
    assert.equal(await errorCode(strict.res), 'SAML_AUTHN_TOO_OLD');
    assert.equal((await h.signIn(h.newClient(), 'plain', { authnInstant: ago(120 * MINUTE) })).res.status, 303);
  });
});
