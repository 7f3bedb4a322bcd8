// Two instances of the service on one PostgreSQL database, as behind a load balancer: what an
// admin changes on one (an IdP, a cluster, a certificate rollover, a removal) applies on the
// other's very next request, with no restart; the setup token is issued once for both, and a
// session made on one is good on the other.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { openPostgresStore } from '../../../src/store/postgres.ts';
import { startAwsEmulator, type AwsEmulator } from '../../../src/dev/aws-emulator.ts';
import { createTestDatabase, type TestDatabase } from '../../support/test-postgres.ts';
import {
  startAppHarness,
  type AppHarness,
  SESSION_COOKIE,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  TEST_CLUSTER_PORT,
} from '../../support/app-harness.ts';
import { explicitIdpFields, clusterFields, errorCode, ADMIN_GROUP } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { fixtureKeys, TEST_PRINCIPAL_ARN } from '../../support/sign-response.ts';

const IDP = 'corp';
const CLUSTER = 'warehouse';

describe('two instances on one PostgreSQL', () => {
  let database: TestDatabase;
  let emulator: AwsEmulator;
  let a: AppHarness;
  let b: AppHarness;
  let adminOnA: CookieClient;

  before(async () => {
    database = await createTestDatabase('redshift_sso_admin');
    emulator = await startAwsEmulator({
      samlProviders: [
        { arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate, fixtureKeys.idpNext.certificate] },
      ],
      clusters: [{ clusterIdentifier: TEST_CLUSTER_IDENTIFIER, host: TEST_CLUSTER_HOST, port: TEST_CLUSTER_PORT }],
    });
    // Opened at once: both run the start-up migrations, which the advisory lock serialises.
    const [storeA, storeB] = await Promise.all([openPostgresStore(database.url), openPostgresStore(database.url)]);
    a = await startAppHarness({ admin: true, store: storeA, sharedEmulator: emulator });
    b = await startAppHarness({ admin: true, store: storeB, sharedEmulator: emulator });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await emulator?.close();
    await database?.drop();
  });

  async function credentials(client: CookieClient, cluster: string): Promise<Response> {
    return client.postJson('/api/credentials', { cluster });
  }

  it('issues the setup token once for both instances', async () => {
    // Both start at once: exactly one of them may print a token, and it opens either console.
    const [tokenA, tokenB] = await Promise.all([a.service.issueSetupToken(), b.service.issueSetupToken()]);
    assert.equal([tokenA, tokenB].filter((t) => t !== undefined).length, 1, 'one token between the two instances');
    const token = tokenA ?? tokenB ?? '';
    assert.equal(await a.service.issueSetupToken(), undefined, 'and none on a later start');
    adminOnA = a.newClient();
    await a.signInWithSetupToken(adminOnA, token);
  });

  it('uses an IdP and a cluster added on A for a login on B at its very next request', async () => {
    // B has served requests already, so whatever it caches is from before the change.
    assert.equal((await b.newClient().get(`/login/${IDP}`, { accept: 'application/json' })).status, 404);
    // The cluster first: saving the first IdP ends the setup-token session.
    assert.equal((await a.post(adminOnA, '/admin/clusters', clusterFields(CLUSTER))).status, 303);
    await a.saveFirstIdp(adminOnA, explicitIdpFields(IDP));

    const alice = b.newClient();
    const { res } = await b.signIn(alice, IDP);
    assert.equal(res.status, 303, 'B accepts a response from the IdP added on A');
    const issued = await credentials(alice, CLUSTER);
    assert.equal(issued.status, 200, await issued.clone().text());
    const body = (await issued.json()) as { dbUser: string; host: string; database: string };
    assert.equal(body.dbUser, 'IAM:alice');
    assert.equal(body.host, TEST_CLUSTER_HOST);
    assert.equal(body.database, 'analytics');
  });

  it('keeps a session made on A good on B (sessions live in the shared store)', async () => {
    const alice = a.newClient();
    assert.equal((await a.signIn(alice, IDP)).res.status, 303);
    const onB = b.newClient();
    onB.setCookie(SESSION_COOKIE, alice.cookie(SESSION_COOKIE) ?? '');
    assert.equal((await credentials(onB, CLUSTER)).status, 200);
  });

  it('applies a certificate rollover made on B to A’s next login', async () => {
    const admin = b.newClient();
    assert.equal((await b.signIn(admin, IDP, { groups: [ADMIN_GROUP] })).res.status, 303);
    assert.equal(
      (await b.post(admin, `/admin/idps/${IDP}/certs`, { certificate: fixtureKeys.idpNext.certificate })).status,
      303,
    );
    assert.equal(
      (await a.signIn(a.newClient(), IDP, { key: fixtureKeys.idpNext })).res.status,
      303,
      'A trusts the new certificate',
    );
    const retire = await b.post(admin, `/admin/idps/${IDP}/certs/remove`, {
      fingerprint: new X509Certificate(fixtureKeys.idp.certificate).fingerprint256,
    });
    assert.equal(retire.status, 303);
    const old = await a.signIn(a.newClient(), IDP, { json: true });
    assert.equal(old.res.status, 401, 'A refuses the retired certificate');
    assert.equal(await errorCode(old.res), 'SAML_SIGNATURE_INVALID');
  });

  it('applies a removal made on B to A at its very next request', async () => {
    const alice = a.newClient();
    assert.equal((await a.signIn(alice, IDP, { key: fixtureKeys.idpNext })).res.status, 303);
    assert.equal((await credentials(alice, CLUSTER)).status, 200, 'A serves the cluster before the removal');

    const adminA = a.newClient();
    await a.signInAsAdmin(adminA, IDP, { key: fixtureKeys.idpNext });
    const admin = b.newClient();
    assert.equal((await b.signIn(admin, IDP, { key: fixtureKeys.idpNext, groups: [ADMIN_GROUP] })).res.status, 303);
    assert.equal((await b.post(admin, `/admin/clusters/${CLUSTER}/delete`, {})).status, 303);
    assert.equal((await b.post(admin, `/admin/idps/${IDP}/delete`, {})).status, 303);

    const refused = await credentials(alice, CLUSTER);
    assert.equal(refused.status, 401, 'A ends what sign-ins through the removed IdP may do');
    assert.equal(await errorCode(refused), 'IDP_DISABLED');
    assert.equal(
      (await a.newClient().get(`/login/${IDP}`, { accept: 'application/json' })).status,
      404,
      'A no longer knows the IdP',
    );
    const home = await (await a.newClient().get('/')).text();
    assert.ok(!home.includes(`/login/${IDP}`), 'A no longer offers the IdP');
    const admins = await adminA.get('/admin', { accept: 'application/json' });
    assert.equal(admins.status, 401, 'an admin signed in on A through the removed IdP is refused there at once');
    assert.equal(await errorCode(admins), 'IDP_DISABLED');
  });
});
