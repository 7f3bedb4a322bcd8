// The inline session policy sent with AssumeRoleWithSAML. AWS grants a role session only what both
// the role's policies and this policy allow, so the session can do no more than this service does
// with it: the credential call on the clusters that role maps to, for this person's own DbUser, and
// endpoint discovery where the cluster entry has no host. Which clusters a role maps to is
// cluster-access.ts's answer; what is done with the session is issue-db-login.ts's.
import type { ClusterConfig } from '../config/schema.ts';
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import { dbGroupsFor } from './issue-db-login.ts';

/** STS's limit on the Policy parameter, in characters of the JSON text. */
export const MAX_SESSION_POLICY_CHARS = 2048;

/**
 * How far a policy was widened to fit the limit: not at all; each cluster's DbGroups by wildcard;
 * any database and group of the account, and DescribeClusters on any cluster (the credential calls
 * still name each cluster); any cluster of the account.
 */
export type PolicyWidening = 'none' | 'dbGroups' | 'databases' | 'clusters';

export interface SessionPolicy {
  json: string;
  widened: PolicyWidening;
}

export interface SessionPolicyInput {
  roleArn: string;
  /** The clusters this role may use (clustersForRole). */
  clusters: readonly ClusterConfig[];
  identity: Pick<FederatedIdentity, 'dbUser' | 'dbGroups' | 'autoCreate'>;
  defaultRegion: string;
}

interface Statement {
  Effect: 'Allow';
  Action: string | string[];
  Resource: string | string[];
}

const WIDENINGS: readonly PolicyWidening[] = ['none', 'dbGroups', 'databases', 'clusters'];

/**
 * The policy for one role session, or undefined for none: when the role reaches no cluster, or a
 * cluster it reaches opts out (`sessionPolicy: false`), since a policy scoped to the other clusters
 * would take from that one the permissions it was opted out for.
 */
export function buildSessionPolicy(input: SessionPolicyInput): SessionPolicy | undefined {
  if (input.clusters.length === 0 || input.clusters.some((cluster) => !cluster.sessionPolicy)) return undefined;
  const owner = ownerOf(input.roleArn);
  let json = '';
  for (const widened of WIDENINGS) {
    json = latin1(JSON.stringify({ Version: '2012-10-17', Statement: statements(input, owner, widened) }));
    if (json.length <= MAX_SESSION_POLICY_CHARS) return { json, widened };
  }
  // The widest form has a fixed number of resources of bounded length; reaching here is a bug.
  throw new Error(`session policy of ${json.length} characters exceeds ${MAX_SESSION_POLICY_CHARS}`);
}

interface Grants {
  getCredentials: string[];
  createUser: string[];
  withIam: string[];
  describe: string[];
  serverless: string[];
  workgroups: string[];
  joinsGroups: boolean;
  customDomain: boolean;
}

function statements(input: SessionPolicyInput, owner: Owner, widened: PolicyWidening): Statement[] {
  const g: Grants = {
    getCredentials: [],
    createUser: [],
    withIam: [],
    describe: [],
    serverless: [],
    workgroups: [],
    joinsGroups: false,
    customDomain: false,
  };
  for (const cluster of input.clusters) grantCluster(g, cluster, input, owner, widened);
  return [
    allow(
      g.joinsGroups ? ['redshift:GetClusterCredentials', 'redshift:JoinGroup'] : ['redshift:GetClusterCredentials'],
      g.getCredentials,
    ),
    allow(['redshift:CreateClusterUser'], g.createUser),
    allow(['redshift:GetClusterCredentialsWithIAM'], g.withIam),
    allow(['redshift:DescribeClusters'], g.describe),
    allow(['redshift-serverless:GetCredentials'], g.serverless),
    allow(['redshift-serverless:GetWorkgroup'], g.workgroups),
    // Read-only and account-wide (it takes no resource); AWS may consult it to resolve a custom domain.
    allow(['redshift:DescribeCustomDomainAssociations'], g.customDomain ? ['*'] : []),
  ].flatMap((statement) => (statement === undefined ? [] : [statement]));
}

/** What the service does with one cluster, as resource ARNs, at the given widening. */
function grantCluster(
  g: Grants,
  cluster: ClusterConfig,
  input: SessionPolicyInput,
  owner: Owner,
  widened: PolicyWidening,
): void {
  const anyCluster = widened === 'clusters';
  const anyDatabase = anyCluster || widened === 'databases';
  const arn = (service: string, region: string, resource: string) =>
    `arn:${owner.partition}:${service}:${region}:${owner.account}:${resource}`;
  const region = anyCluster ? '*' : (cluster.region ?? input.defaultRegion);
  const redshift = (resource: string) => arn('redshift', region, resource);
  // A cluster reached only by its custom domain has no identifier to name; AWS resolves the domain.
  const id = anyCluster || cluster.clusterIdentifier === undefined ? '*' : literal(cluster.clusterIdentifier);
  const database = anyDatabase ? '*' : literal(cluster.database);
  const discovers = cluster.host === undefined && cluster.customDomainName === undefined;
  g.customDomain ||= cluster.customDomainName !== undefined;

  if (cluster.type === 'serverless') {
    const workgroup = arn(
      'redshift-serverless',
      region,
      `workgroup/${anyCluster ? '*' : (cluster.workgroupId ?? '*')}`,
    );
    g.serverless.push(workgroup);
    if (discovers) g.workgroups.push(workgroup);
    return;
  }
  // Describing clusters only reads their endpoints: it is widened with the databases.
  if (discovers) g.describe.push(anyDatabase ? arn('redshift', '*', 'cluster:*') : redshift(`cluster:${id}`));
  if (cluster.credentialsApi === 'GetClusterCredentialsWithIAM') {
    g.withIam.push(redshift(`dbname:${id}/${database}`));
    return;
  }
  // The dbuser ARN is the one GetClusterCredentials always needs: it keeps naming the cluster
  // after databases and groups are widened to any of the account's.
  const dbUser = redshift(`dbuser:${id}/${literal(input.identity.dbUser)}`);
  g.getCredentials.push(
    dbUser,
    anyDatabase ? arn('redshift', '*', 'dbname:*/*') : redshift(`dbname:${id}/${database}`),
  );
  const groups = dbGroupsFor(cluster, input.identity.dbGroups);
  if (groups.length > 0) {
    g.joinsGroups = true;
    if (anyDatabase) g.getCredentials.push(arn('redshift', '*', 'dbgroup:*/*'));
    else
      g.getCredentials.push(
        ...(widened === 'none' ? groups.map(literal) : ['*']).map((name) => redshift(`dbgroup:${id}/${name}`)),
      );
  }
  if (cluster.autoCreate ?? input.identity.autoCreate) g.createUser.push(dbUser);
}

function allow(actions: string[], resources: string[]): Statement | undefined {
  const unique = [...new Set(resources)];
  if (unique.length === 0) return undefined;
  return { Effect: 'Allow', Action: single(actions), Resource: single(unique) };
}

function single(values: string[]): string | string[] {
  return values.length === 1 ? (values[0] as string) : values;
}

interface Owner {
  partition: string;
  account: string;
}

/** `arn:aws:iam::123456789012:role/Name` -> the partition and account its resources live in. */
function ownerOf(roleArn: string): Owner {
  const [, partition, , , account] = roleArn.split(':');
  if (partition === undefined || account === undefined || !/^\d{12}$/.test(account))
    throw new Error(`not a role ARN: ${roleArn}`);
  return { partition, account };
}

/**
 * IAM reads `*`, `?` and `$` in a Resource as wildcards or variables; `${*}` and friends are the literal characters.
 */
function literal(name: string): string {
  return name.replace(/[$*?]/g, (char) => `\${${char}}`);
}

/**
 * STS takes only Latin-1 in a policy; anything beyond it goes as a JSON escape, which means the same (JSON.stringify
 * escapes control characters).
 */
function latin1(json: string): string {
  return json.replace(/[^\u0020-\u00ff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
