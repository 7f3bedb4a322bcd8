// buildSessionPolicy, table-driven: for each kind of cluster entry, exactly which actions on which
// resource ARNs the role session keeps; no policy when a cluster opts out; and the 2048-character
// limit, met by widening DbGroups and then clusters while the DbUser stays the person's own.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildSessionPolicy,
  MAX_SESSION_POLICY_CHARS,
  type SessionPolicyInput,
} from '../../../src/credentials/session-policy.ts';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import { aCluster, aFederatedIdentity, ACCOUNT, roleArn } from '../../support/unit-builders.ts';

const ROLE = roleArn('RedshiftAnalyst');
const RS = `arn:aws:redshift:eu-west-1:${ACCOUNT}`;
/** Both clusters' dev database and alice, and the fixed groups bi and etl of analytics-cluster. */
const BOTH_CLUSTERS_BI_ETL = [
  `${RS}:dbgroup:analytics-cluster/bi`,
  `${RS}:dbgroup:analytics-cluster/etl`,
  `${RS}:dbname:analytics-cluster/dev`,
  `${RS}:dbname:other/dev`,
  `${RS}:dbuser:analytics-cluster/alice`,
  `${RS}:dbuser:other/alice`,
];
const WG_ID = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

/** Every (action -> resources) the policy allows, sorted, so tables compare whole policies. */
function allowed(json: string): Record<string, string[]> {
  const document = JSON.parse(json) as { Version: string; Statement: Statement[] };
  assert.equal(document.Version, '2012-10-17');
  const out: Record<string, string[]> = {};
  for (const statement of document.Statement) {
    assert.equal(statement.Effect, 'Allow');
    for (const action of [statement.Action].flat())
      out[action] = [...(out[action] ?? []), ...[statement.Resource].flat()].sort();
  }
  return out;
}

function policyFor(
  clusters: ClusterConfig[],
  overrides: Partial<SessionPolicyInput> = {},
): { json: string; widened: string } {
  const policy = buildSessionPolicy({
    roleArn: ROLE,
    clusters,
    identity: aFederatedIdentity(),
    defaultRegion: 'eu-west-1',
    ...overrides,
  });
  assert.ok(policy !== undefined, 'a policy');
  assert.ok(policy.json.length <= MAX_SESSION_POLICY_CHARS, `${policy.json.length} characters`);
  assert.doesNotMatch(policy.json, /\s/, 'packed JSON, no whitespace');
  return policy;
}

const cases: Array<{ name: string; clusters: ClusterConfig[]; expected: Record<string, string[]> }> = [
  {
    name: 'provisioned, endpoint discovered: own DbUser, the database, SAML DbGroups, DescribeClusters',
    clusters: [aCluster()],
    expected: {
      'redshift:GetClusterCredentials': [
        `${RS}:dbgroup:analytics-cluster/analysts`,
        `${RS}:dbname:analytics-cluster/dev`,
        `${RS}:dbuser:analytics-cluster/alice`,
      ],
      'redshift:JoinGroup': [
        `${RS}:dbgroup:analytics-cluster/analysts`,
        `${RS}:dbname:analytics-cluster/dev`,
        `${RS}:dbuser:analytics-cluster/alice`,
      ],
      'redshift:DescribeClusters': [`${RS}:cluster:analytics-cluster`],
    },
  },
  {
    name: 'provisioned with host, no DbGroups, AutoCreate: no discovery, CreateClusterUser on the own DbUser only',
    clusters: [
      aCluster({ host: 'db.example.com', dbGroups: [], autoCreate: true, region: 'us-east-2', database: 'sales' }),
    ],
    expected: {
      'redshift:GetClusterCredentials': [
        `arn:aws:redshift:us-east-2:${ACCOUNT}:dbname:analytics-cluster/sales`,
        `arn:aws:redshift:us-east-2:${ACCOUNT}:dbuser:analytics-cluster/alice`,
      ],
      'redshift:CreateClusterUser': [`arn:aws:redshift:us-east-2:${ACCOUNT}:dbuser:analytics-cluster/alice`],
    },
  },
  {
    name: 'fixed DbGroups and a filter decide the dbgroup ARNs',
    clusters: [
      aCluster({ host: 'a.example.com', dbGroups: ['bi', 'etl'] }),
      aCluster({ id: 'other', clusterIdentifier: 'other', host: 'b.example.com', dbGroupsFilter: 'none_.*' }),
    ],
    // GetClusterCredentials and JoinGroup name the same resources (one statement for both).
    expected: {
      'redshift:GetClusterCredentials': BOTH_CLUSTERS_BI_ETL,
      'redshift:JoinGroup': BOTH_CLUSTERS_BI_ETL,
    },
  },
  {
    name: 'GetClusterCredentialsWithIAM: the database of that cluster, no DbUser',
    clusters: [aCluster({ credentialsApi: 'GetClusterCredentialsWithIAM', host: 'db.example.com' })],
    expected: { 'redshift:GetClusterCredentialsWithIAM': [`${RS}:dbname:analytics-cluster/dev`] },
  },
  {
    name: 'serverless with its workgroup ID, endpoint discovered',
    clusters: [
      aCluster({ type: 'serverless', clusterIdentifier: undefined, workgroup: 'analytics-wg', workgroupId: WG_ID }),
    ],
    expected: {
      'redshift-serverless:GetCredentials': [`arn:aws:redshift-serverless:eu-west-1:${ACCOUNT}:workgroup/${WG_ID}`],
      'redshift-serverless:GetWorkgroup': [`arn:aws:redshift-serverless:eu-west-1:${ACCOUNT}:workgroup/${WG_ID}`],
    },
  },
  {
    name: 'serverless without a workgroup ID, host configured: any workgroup of the account there',
    clusters: [
      aCluster({ type: 'serverless', clusterIdentifier: undefined, workgroup: 'analytics-wg', host: 'wg.example.com' }),
    ],
    expected: {
      'redshift-serverless:GetCredentials': [`arn:aws:redshift-serverless:eu-west-1:${ACCOUNT}:workgroup/*`],
    },
  },
  {
    name: 'custom domain only: any cluster name, still the own DbUser; no DescribeClusters',
    clusters: [
      aCluster({ clusterIdentifier: undefined, customDomainName: 'warehouse.corp.example.com', dbGroups: [] }),
    ],
    expected: {
      'redshift:GetClusterCredentials': [`${RS}:dbname:*/dev`, `${RS}:dbuser:*/alice`],
      'redshift:DescribeCustomDomainAssociations': ['*'],
    },
  },
  {
    name: 'custom domain with its identifier: the named cluster',
    clusters: [aCluster({ customDomainName: 'warehouse.corp.example.com', dbGroups: [] })],
    expected: {
      'redshift:GetClusterCredentials': [`${RS}:dbname:analytics-cluster/dev`, `${RS}:dbuser:analytics-cluster/alice`],
      'redshift:DescribeCustomDomainAssociations': ['*'],
    },
  },
  {
    name: 'several clusters of several kinds in one policy',
    clusters: [
      aCluster({ host: 'a.example.com', dbGroups: [] }),
      aCluster({
        id: 'iam',
        clusterIdentifier: 'iam-cluster',
        credentialsApi: 'GetClusterCredentialsWithIAM',
        region: 'us-west-2',
      }),
      aCluster({
        id: 'wg',
        type: 'serverless',
        clusterIdentifier: undefined,
        workgroup: 'wg',
        workgroupId: WG_ID,
        host: 'wg.example.com',
      }),
    ],
    expected: {
      'redshift:GetClusterCredentials': [`${RS}:dbname:analytics-cluster/dev`, `${RS}:dbuser:analytics-cluster/alice`],
      'redshift:GetClusterCredentialsWithIAM': [`arn:aws:redshift:us-west-2:${ACCOUNT}:dbname:iam-cluster/dev`],
      'redshift:DescribeClusters': [`arn:aws:redshift:us-west-2:${ACCOUNT}:cluster:iam-cluster`],
      'redshift-serverless:GetCredentials': [`arn:aws:redshift-serverless:eu-west-1:${ACCOUNT}:workgroup/${WG_ID}`],
    },
  },
  {
    name: 'IAM wildcard and variable characters in names are sent as literals',
    clusters: [aCluster({ host: 'a.example.com', dbGroups: [], database: 'd*b?$x' })],
    expected: {
      'redshift:GetClusterCredentials': [
        `${RS}:dbname:analytics-cluster/d\${*}b\${?}\${$}x`,
        `${RS}:dbuser:analytics-cluster/alice`,
      ],
    },
  },
];

describe('buildSessionPolicy', () => {
  for (const c of cases) {
    it(c.name, () => {
      const policy = policyFor(c.clusters);
      assert.equal(policy.widened, 'none');
      assert.deepEqual(allowed(policy.json), c.expected);
    });
  }

  it('takes the partition and account from the role ARN', () => {
    const policy = policyFor([aCluster({ host: 'a.example.com', dbGroups: [], region: 'cn-north-1' })], {
      roleArn: 'arn:aws-cn:iam::210987654321:role/Analyst',
    });
    assert.deepEqual(allowed(policy.json)['redshift:GetClusterCredentials'], [
      'arn:aws-cn:redshift:cn-north-1:210987654321:dbname:analytics-cluster/dev',
      'arn:aws-cn:redshift:cn-north-1:210987654321:dbuser:analytics-cluster/alice',
    ]);
  });

  it('sends no policy when a cluster the role maps to opts out, or when it maps to none', () => {
    const input = { roleArn: ROLE, identity: aFederatedIdentity(), defaultRegion: 'eu-west-1' };
    assert.equal(
      buildSessionPolicy({
        ...input,
        clusters: [aCluster(), aCluster({ id: 'wide', clusterIdentifier: 'wide', sessionPolicy: false })],
      }),
      undefined,
    );
    assert.equal(buildSessionPolicy({ ...input, clusters: [] }), undefined);
  });

  it('widens DbGroups to a wildcard per cluster when the exact policy is too long', () => {
    const dbGroups = Array.from({ length: 40 }, (_, i) => `group_with_a_long_name_${i}`);
    const policy = policyFor([aCluster({ dbGroups })]);
    assert.equal(policy.widened, 'dbGroups');
    const resources = allowed(policy.json)['redshift:GetClusterCredentials'];
    assert.deepEqual(resources, [
      `${RS}:dbgroup:analytics-cluster/*`,
      `${RS}:dbname:analytics-cluster/dev`,
      `${RS}:dbuser:analytics-cluster/alice`,
    ]);
  });

  it('widens databases and groups to any of the account next, still naming each cluster by its dbuser ARN', () => {
    const clusters = Array.from({ length: 20 }, (_, i) =>
      aCluster({
        id: `c${i}`,
        clusterIdentifier: `cluster-number-${i}`,
        ...(i % 2 === 0 ? { host: `c${i}.example.com` } : {}),
      }),
    );
    const policy = policyFor(clusters);
    assert.equal(policy.widened, 'databases');
    const any = `arn:aws:redshift:*:${ACCOUNT}`;
    const expected = [
      `${any}:dbgroup:*/*`,
      `${any}:dbname:*/*`,
      ...clusters.map((c) => `${RS}:dbuser:${c.clusterIdentifier ?? ''}/alice`),
    ].sort();
    assert.deepEqual(allowed(policy.json), {
      'redshift:GetClusterCredentials': expected,
      'redshift:JoinGroup': expected,
      'redshift:DescribeClusters': [`${any}:cluster:*`],
    });
  });

  it('widens to any cluster and database of the account when many clusters do not fit, keeping the own DbUser', () => {
    const clusters = Array.from({ length: 30 }, (_, i) =>
      aCluster({ id: `c${i}`, clusterIdentifier: `cluster-number-${i}`, autoCreate: true }),
    );
    const policy = policyFor(clusters);
    assert.equal(policy.widened, 'clusters');
    const any = `arn:aws:redshift:*:${ACCOUNT}`;
    assert.deepEqual(allowed(policy.json), {
      'redshift:GetClusterCredentials': [`${any}:dbgroup:*/*`, `${any}:dbname:*/*`, `${any}:dbuser:*/alice`],
      'redshift:JoinGroup': [`${any}:dbgroup:*/*`, `${any}:dbname:*/*`, `${any}:dbuser:*/alice`],
      'redshift:CreateClusterUser': [`${any}:dbuser:*/alice`],
      'redshift:DescribeClusters': [`${any}:cluster:*`],
    });
  });

  it('keeps the policy in Latin-1, as STS requires', () => {
    const policy = policyFor([aCluster({ host: 'a.example.com', dbGroups: [], database: 'données_東京' })]);
    assert.match(policy.json, /^[\u0020-\u00ff]+$/);
    assert.ok(
      allowed(policy.json)['redshift:GetClusterCredentials']?.includes(`${RS}:dbname:analytics-cluster/données_東京`),
    );
  });
});
