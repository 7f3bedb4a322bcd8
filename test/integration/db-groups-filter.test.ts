// A cluster's dbGroupsFilter is an admin's regular expression applied to every sign-in's DbGroups.
// It runs on RE2: a pattern that backtracks exponentially elsewhere answers at once even for
// 127-character group names, while /healthz keeps answering; and a pattern RE2 cannot run
// (backreferences, lookaround) is refused when the console saves it, with the field named.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, TEST_CLUSTER_IDENTIFIER, TEST_SSO_URL } from '../support/app-harness.ts';
import { clusterFields, ADMIN_GROUP } from '../support/admin-forms.ts';
import { REDSHIFT_DB_GROUPS, TEST_IDP_ISSUER, TEST_ROLE_ARN, fixtureKeys } from '../support/sign-response.ts';
import { formProblemList } from '../support/admin-pages.ts';

// The longest names SAML may carry, each one character short of matching; and one that matches
// (short enough for the emulator, which, like Redshift, caps a group name at 64 characters).
const ALMOST = ['a'.repeat(126) + '-', 'a'.repeat(125) + '@1', 'aaaaaaa-'];
const MATCHING = 'a'.repeat(60);

describe('clusters[].dbGroupsFilter', () => {
  it('filters 127-character groups with (a+)+ at once, and the service keeps answering', async () => {
    const h = await startAppHarness({
      clusters: [
        {
          id: 'analytics',
          clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
          roles: [TEST_ROLE_ARN],
          dbGroupsFilter: '(a+)+',
        },
      ],
    });
    try {
      const signIn = await h.signIn({ extraAttributes: { [REDSHIFT_DB_GROUPS]: [...ALMOST, MATCHING] } });
      assert.equal(signIn.status, 303);
      const [res, health] = await Promise.all([
        h.client.postJson('/api/credentials', { cluster: 'analytics' }),
        h.newClient().get('/healthz'),
      ]);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(health.status, 200);
      const gcc = h.emulator.calls.find((c) => c.action === 'GetClusterCredentials');
      assert.deepEqual(gcc?.params.DbGroups, [MATCHING], 'only the group whose whole name matches is sent');
    } finally {
      await h.close();
    }
  });

  it('refuses in the console a pattern RE2 cannot run, naming the field, and saves nothing', async () => {
    const h = await startAppHarness({
      admin: true,
      idps: [{ id: 'test', entityId: TEST_IDP_ISSUER, ssoUrl: TEST_SSO_URL, certs: [fixtureKeys.idp.certificate] }],
      clusters: [{ id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    });
    try {
      const admin = h.newClient();
      const signedIn = (await h.signIn(admin, 'test', { groups: [ADMIN_GROUP] })).res;
      assert.equal(signedIn.status, 303, await signedIn.clone().text());
      for (const pattern of ['(?=bi_)\\w+', '(a)\\1', '(?<!x)admins']) {
        const res = await h.post(admin, '/admin/clusters', clusterFields('filtered', { dbGroupsFilter: pattern }));
        assert.equal(res.status, 400, pattern);
        // The form comes back with its problems listed by field.
        const problems = formProblemList(await res.text());
        assert.match(
          problems,
          /<li>dbGroupsFilter: expected an RE2 regular expression \(no backreferences or lookaround\)[^<]*<\/li>/,
          pattern,
        );
      }
      assert.deepEqual(await h.service.store.listConnections('cluster'), []);
      assert.equal(
        (await h.post(admin, '/admin/clusters', clusterFields('filtered', { dbGroupsFilter: '(a+)+|bi_.*' }))).status,
        303,
        'an RE2 pattern is saved',
      );
    } finally {
      await h.close();
    }
  });
});
