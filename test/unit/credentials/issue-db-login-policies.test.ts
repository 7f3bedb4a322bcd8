// Cluster policies over what SAML sends (the IAM credentials API, fixed or filtered DbGroups with
// RE2 in linear time), and which CA file a connection string names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import { dbGroupsFor, sslRootCertFor } from '../../../src/credentials/issue-db-login.ts';
import { aCluster } from '../../support/unit-builders.ts';
import { setup } from '../../support/issue-db-login-setup.ts';

describe('issueDbLogin cluster policies', () => {
  it('uses GetClusterCredentialsWithIAM when the cluster says so (no DbUser, no groups)', async () => {
    const { redshift, issue } = setup({ clusters: [aCluster({ credentialsApi: 'GetClusterCredentialsWithIAM' })] });
    const login = await issue();
    assert.equal(login.dbUser, 'IAMR:RedshiftAnalyst');
    assert.equal(redshift.callsTo('getClusterCredentialsWithIam').length, 1);
    assert.equal(redshift.callsTo('getClusterCredentials').length, 0);
  });

  const groupCases: Array<{ name: string; cluster: Partial<ClusterConfig>; fromSaml: string[]; expected: string[] }> = [
    { name: 'as sent by SAML', cluster: {}, fromSaml: ['analysts', 'admins'], expected: ['analysts', 'admins'] },
    {
      name: 'fixed by the cluster',
      cluster: { dbGroups: ['readonly'] },
      fromSaml: ['analysts', 'admins'],
      expected: ['readonly'],
    },
    {
      name: 'filtered by a whole-name pattern',
      cluster: { dbGroupsFilter: 'analysts|bi_.*' },
      fromSaml: ['analysts', 'analysts_x', 'bi_sales', 'admins'],
      expected: ['analysts', 'bi_sales'],
    },
  ];
  for (const c of groupCases) {
    it(`passes DbGroups ${c.name}`, () => {
      assert.deepEqual(dbGroupsFor(aCluster(c.cluster), c.fromSaml), c.expected);
    });
  }

  // Patterns on which a backtracking engine (JavaScript's) takes exponential time for a name that
  // almost matches: on a 127-character group name (the longest SAML may send), (a+)+ alone would
  // never finish. RE2 answers in time linear in the name.
  const longest = 'a'.repeat(127);
  const almost = ['a'.repeat(126) + '-', 'a'.repeat(125) + '+@', 'aaaaaaa-'];
  const catastrophic: Array<{ pattern: string; expected: string[] }> = [
    { pattern: '(a+)+', expected: [longest] },
    { pattern: '(a|aa)+', expected: [longest] },
    { pattern: '(a|a?)+', expected: [longest] },
    { pattern: '(.*a){20}', expected: [longest] },
    { pattern: '([a-z]+)*[0-9]', expected: [] },
    { pattern: '(\\w+\\w?)+_end', expected: [] },
  ];
  for (const c of catastrophic) {
    it(`filters 127-character groups with ${c.pattern} in linear time`, () => {
      assert.deepEqual(dbGroupsFor(aCluster({ dbGroupsFilter: c.pattern }), [...almost, longest]), c.expected);
    });
  }
});

describe('sslRootCertFor', () => {
  const cluster = (fields: Partial<ClusterConfig>): ClusterConfig => ({ ...aCluster(), ...fields });
  const table: Array<[string, Partial<ClusterConfig>, string | undefined, string | undefined]> = [
    ['verify-full without a bundle: the OS trust store (libpq 16+)', { sslMode: 'verify-full' }, undefined, 'system'],
    [
      'verify-ca without a bundle: nothing (libpq refuses system below verify-full)',
      { sslMode: 'verify-ca' },
      undefined,
      undefined,
    ],
    [
      'a bundle: the file the page offers',
      { sslMode: 'verify-full', caBundle: 'PEM' },
      undefined,
      'redshift-sso-analytics-ca.pem',
    ],
    [
      'a bundle and the path the client installed it at',
      { sslMode: 'verify-ca', caBundle: 'PEM' },
      '/home/a/.config/ca.pem',
      '/home/a/.config/ca.pem',
    ],
    ['no verification: nothing', { sslMode: 'require', caBundle: 'PEM' }, '/x.pem', undefined],
  ];
  for (const [what, fields, caFile, expected] of table) {
    it(what, () => assert.equal(sslRootCertFor(cluster({ id: 'analytics', ...fields }), caFile), expected));
  }
});
