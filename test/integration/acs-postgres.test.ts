// The ACS on the PostgreSQL store: the same signed response posted twice is refused the second time
// by the shared one-time-use cache (SAML_REPLAYED), without a second STS call or session. The store
// contract tests cover the cache itself; this is the path a real deployment on PostgreSQL takes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { startAppHarness, SESSION_COOKIE, type AppHarness } from '../support/app-harness.ts';
import { assertAcsRefused } from '../support/app-assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';

describe('POST /saml/acs/:idp on the PostgreSQL store', () => {
  let database: TestDatabase;
  let h: AppHarness;

  before(async () => {
    database = await createTestDatabase('redshift_sso_acs');
    // IdP-initiated allowed: nothing but the replay cache can then stop a second use.
    h = await startAppHarness({ store: await openPostgresStore(database.url), idp: { allowIdpInitiated: true } });
  });
  after(async () => {
    await h?.close();
    await database?.drop();
  });

  it('refuses the same response posted twice with SAML_REPLAYED', async () => {
    const response = await h.validResponse({ inResponseTo: undefined });
    assert.equal((await h.postAcs(response)).status, 303, 'the first use signs in');
    const attacker = h.newClient();
    await assertAcsRefused(
      h,
      () => attacker.postForm('/saml/acs/test', { SAMLResponse: response }, { accept: 'application/json' }),
      401,
      'SAML_REPLAYED',
    );
    assert.equal(attacker.cookie(SESSION_COOKIE), undefined, 'no session for the replay');
    const [refused] = await h.service.store.queryAudit({ outcome: 'refused' });
    assert.equal(refused?.code, 'SAML_REPLAYED', 'the replay is audited');
  });

  it('refuses a replay of an SP-initiated response too', async () => {
    const response = await h.validResponse();
    assert.equal((await h.postAcs(response)).status, 303);
    await assertAcsRefused(
      h,
      () => h.newClient().postForm('/saml/acs/test', { SAMLResponse: response }, { accept: 'application/json' }),
      401,
      ['SAML_REPLAYED', 'SAML_IN_RESPONSE_TO_UNKNOWN'],
    );
  });
});
