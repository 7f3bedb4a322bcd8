// The assertion consumer service end to end: real signed responses from the fixture IdP key, real
// node-saml validation, the real AWS SDK against the emulator. A refusal must name its stable code,
// never be a 500 or show a stack trace, set no session and never reach AWS STS (the refusals
// themselves: acs-refusals.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { harnessForEachTest, startAppHarness, SESSION_COOKIE, type AppHarness } from '../support/app-harness.ts';
import { assertAcsRefused } from '../support/app-assertions.ts';
import { TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';

const MINUTE = 60_000;
const json = { json: true } as const;

describe('POST /saml/acs/:idp', () => {
  let h: AppHarness;
  harnessForEachTest(async () => (h = await startAppHarness()));

  it('signs in: 303 to the start page, a new session, /api/me shows the identity', async () => {
    const planted = await h.plantSession();
    const res = await h.signIn();
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(setCookie, 'a session cookie is set');
    assert.match(setCookie, /;\s*HttpOnly/i);
    assert.match(setCookie, /;\s*SameSite=Lax/i);
    const cookie = h.client.cookie(SESSION_COOKIE);
    assert.ok(cookie);
    assert.notEqual(h.sessionIdOf(cookie), planted, 'the session ID changes at sign-in (no fixation)');

    const me = await h.client.get('/api/me', { accept: 'application/json' });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('cache-control'), 'no-store');
    const body = (await me.json()) as Record<string, unknown>;
    assert.equal(body.idp, 'test');
    assert.equal(body.nameId, 'alice@example.com');
    assert.equal(body.dbUser, 'alice');
    assert.deepEqual(body.dbGroups, ['analysts']);
    assert.equal(body.admin, false);
    const roles = body.roles as Array<Record<string, unknown>>;
    assert.equal(roles.length, 1);
    assert.equal(roles[0]?.roleArn, TEST_ROLE_ARN);
    assert.equal(roles[0]?.principalArn, TEST_PRINCIPAL_ARN);
    assert.equal(roles[0]?.status, 'ready');
    assert.deepEqual(roles[0]?.clusters, ['analytics']);

    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML');
    assert.equal(sts.length, 1);
    assert.equal(sts[0]?.ok, true);
    assert.equal(sts[0]?.params.RoleArn, TEST_ROLE_ARN);
    assert.equal(sts[0]?.params.PrincipalArn, TEST_PRINCIPAL_ARN);
  });

  it('does not carry a session planted before sign-in into the signed-in state', async () => {
    const planted = await h.plantSession();
    const plantedCookie = h.client.cookie(SESSION_COOKIE);
    assert.ok(plantedCookie);
    assert.equal((await h.signIn()).status, 303);
    const attacker = h.newClient();
    attacker.setCookie(SESSION_COOKIE, plantedCookie);
    const me = await attacker.get('/api/me', { accept: 'application/json' });
    assert.equal(me.status, 401, 'the planted session ID does not become signed in');
    const plantedData = await h.service.store.getSession(planted, new Date());
    assert.equal(
      plantedData === null ? undefined : (JSON.parse(plantedData) as { passport?: unknown }).passport,
      undefined,
      'the planted session holds no user',
    );
  });

  it('returns to a same-site RelayState path, and to / for an absolute one', async () => {
    const back = await h.postAcs(await h.validResponse(), { relayState: '/?role=x' });
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), '/?role=x');
    const evil = await h.postAcs(await h.validResponse(), { relayState: 'https://evil.example/' });
    assert.equal(evil.status, 303);
    assert.equal(evil.headers.get('location'), '/');
  });
});

describe('POST /saml/acs/:idp with IdP-initiated sign-in allowed', () => {
  let h: AppHarness;
  harnessForEachTest(async () => (h = await startAppHarness({ idp: { allowIdpInitiated: true } })));

  it('accepts an unsolicited response', async () => {
    const res = await h.postAcs(await h.validResponse({ inResponseTo: undefined }));
    assert.equal(res.status, 303);
    const me = await h.client.get('/api/me', { accept: 'application/json' });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { nameId: string }).nameId, 'alice@example.com');
  });

  it('refuses a replayed response: the one-time-use cache, not InResponseTo, stops it', async () => {
    const response = await h.validResponse({ inResponseTo: undefined });
    assert.equal((await h.postAcs(response)).status, 303);
    const attacker = h.newClient();
    const mark = h.emulator.calls.length;
    const error = await assertAcsRefused(
      h,
      () => attacker.postForm('/saml/acs/test', { SAMLResponse: response }, { accept: 'application/json' }),
      401,
      'SAML_REPLAYED',
    );
    assert.ok(error.message.length > 0);
    assert.deepEqual(h.callsSince(mark), []);
    assert.equal(attacker.cookie(SESSION_COOKIE), undefined);
  });

  it('still rejects an InResponseTo this service never sent', async () => {
    await assertAcsRefused(
      h,
      async () => h.postAcs(await h.validResponse({ inResponseTo: '_0123456789abcdef0123456789abcdef01234567' }), json),
      401,
      'SAML_IN_RESPONSE_TO_UNKNOWN',
    );
  });

  it('still checks expiry of an unsolicited response', async () => {
    const now = Date.now();
    await assertAcsRefused(
      h,
      async () =>
        h.postAcs(
          await h.validResponse({
            inResponseTo: undefined,
            now: new Date(now - 10 * MINUTE),
            notOnOrAfter: new Date(now - 5 * MINUTE),
            subjectNotOnOrAfter: new Date(now - 5 * MINUTE),
          }),
          json,
        ),
      401,
      'SAML_EXPIRED',
    );
  });
});
