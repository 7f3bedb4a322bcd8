// The role sessions sealed in a browser session are bound to that session's ID and to the person
// who signed in: a sealed box copied in the store into another session's row (the same person's
// second session, someone else's, or a row holding a copy of the whole signed-in user) does not
// open there, and the person gets a clear "sign in again" refusal, never a 500.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  startAppHarness,
  SESSION_COOKIE,
  TEST_CLUSTER_ID,
  TEST_IDP_ID,
  type AppHarness,
} from '../support/app-harness.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { assertJsonError } from '../support/app-assertions.ts';
import { TEST_ROLE_ARN, type SamlResponseOverrides } from '../support/sign-response.ts';
import type { SessionUser } from '../../src/sign-in/session-user.ts';

const BOB: SamlResponseOverrides = {
  nameId: 'bob@example.com',
  extraAttributes: { 'https://aws.amazon.com/SAML/Attributes/RoleSessionName': 'bob' },
};

interface StoredSession {
  passport?: { user?: SessionUser };
  [key: string]: unknown;
}

describe('sealed role sessions are bound to their browser session and person', () => {
  let h: AppHarness;
  beforeEach(async () => {
    h = await startAppHarness();
  });
  afterEach(() => h.close());

  async function signedIn(overrides: SamlResponseOverrides = {}): Promise<CookieClient> {
    const client = h.newClient();
    const res = await client.postForm(`/saml/acs/${TEST_IDP_ID}`, { SAMLResponse: await h.validResponse(overrides) });
    assert.equal(res.status, 303, await res.text());
    return client;
  }

  const sidOf = (client: CookieClient) => h.sessionIdOf(client.cookie(SESSION_COOKIE) ?? '');

  async function readSession(client: CookieClient): Promise<StoredSession> {
    const data = await h.service.store.getSession(sidOf(client), new Date());
    assert.ok(data !== null, 'the session row exists');
    return JSON.parse(data) as StoredSession;
  }

  async function writeSession(client: CookieClient, session: StoredSession): Promise<void> {
    await h.service.store.setSession(sidOf(client), JSON.stringify(session), new Date(Date.now() + 3600_000));
  }

  const credentials = (client: CookieClient) => client.postJson('/api/credentials', { cluster: TEST_CLUSTER_ID });

  it('seals for the session ID the browser holds after sign-in, which is not the one it had before', async () => {
    const client = h.newClient();
    const planted = await h.plantSession(client);
    const res = await client.postForm(`/saml/acs/${TEST_IDP_ID}`, { SAMLResponse: await h.validResponse() });
    assert.equal(res.status, 303);
    assert.notEqual(sidOf(client), planted, 'Passport regenerated the session at sign-in');
    assert.equal((await h.roleSessionsOf(client)).length, 1, 'the box opens for the new ID');
    assert.equal((await credentials(client)).status, 200);
  });

  const moves: Array<{
    name: string;
    target: SamlResponseOverrides;
    move: (from: StoredSession, to: StoredSession) => StoredSession;
  }> = [
    {
      name: "a box copied into the same person's other session",
      target: {},
      move: (from, to) => ({
        ...to,
        passport: { user: { ...(to.passport?.user as SessionUser), grants: from.passport?.user?.grants ?? [] } },
      }),
    },
    {
      name: "a box copied into another person's session",
      target: BOB,
      move: (from, to) => ({
        ...to,
        passport: { user: { ...(to.passport?.user as SessionUser), grants: from.passport?.user?.grants ?? [] } },
      }),
    },
    {
      name: "the whole signed-in user copied into another session's row",
      target: BOB,
      move: (from, to) => ({ ...to, passport: from.passport }),
    },
  ];
  for (const c of moves) {
    it(`refuses ${c.name} with ROLE_SESSION_MISSING (sign in again), audited`, async () => {
      const alice = await signedIn();
      const other = await signedIn(c.target);
      assert.equal((await credentials(other)).status, 200, 'the target session works on its own');
      assert.equal((await readSession(other)).passport?.user?.identity.nameId, c.target.nameId ?? 'alice@example.com');
      await writeSession(other, c.move(await readSession(alice), await readSession(other)));

      const error = await assertJsonError(await credentials(other), 401, 'ROLE_SESSION_MISSING');
      assert.match(error.message, /Sign in again/);
      const page = await other.postForm(
        '/credentials',
        { _csrf: await csrfOf(other), role: TEST_ROLE_ARN, cluster: TEST_CLUSTER_ID },
        { accept: 'text/html' },
      );
      assert.equal(page.status, 401, 'the browser page refuses it too');
      assert.match(await page.text(), /ROLE_SESSION_MISSING/);
      const refused = await h.service.store.queryAudit({ kind: 'credentials_refused' });
      assert.deepEqual(
        refused.map((e) => e.code),
        ['ROLE_SESSION_MISSING', 'ROLE_SESSION_MISSING'],
      );
      assert.equal((await credentials(alice)).status, 200, 'the box still opens where it was sealed');
    });
  }

  async function csrfOf(client: CookieClient): Promise<string> {
    const token = /name="_csrf" value="([^"]+)"/.exec(
      await (await client.get('/', { accept: 'text/html' })).text(),
    )?.[1];
    assert.ok(token !== undefined);
    return token;
  }
});
