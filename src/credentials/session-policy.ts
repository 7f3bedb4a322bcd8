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

/** How far a policy was widened to fit the limit: not at all, DbGroups by wildcard, or any cluster and database of the account. */
export type PolicyWidening = 'none' | 'dbGroups' | 'clusters';

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

const WIDENINGS: readonly PolicyWidening[] = ['none', 'dbGroups', 'clusters'];

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

function statements(input: SessionPolicyInput, owner: Owner, widened: PolicyWidening): Statement[] {
  const { identity } = input;
  const anyCluster = widened === 'clusters';
  const getCredentials: string[] = [];
  const createUser: string[] = [];
  const withIam: string[] = [];
  const describe: string[] = [];
  const serverless: string[] = [];
  const workgroups: string[] = [];
  let joinsGroups = false;
  let customDomain = false;

  for (const cluster of input.clusters) {
    const region = anyCluster ? '*' : (cluster.region ?? input.defaultRegion);
    const redshift = (resource: string) => `arn:${owner.partition}:redshift:${region}:${owner.account}:${resource}`;
    // A cluster reached only by its custom domain has no identifier to name; AWS resolves the domain.
    const id = anyCluster || cluster.clusterIdentifier === undefined ? '*' : literal(cluster.clusterIdentifier);
    const database = anyCluster ? '*' : literal(cluster.database);
    const discovers = cluster.host === undefined && cluster.customDomainName === undefined;
    customDomain ||= cluster.customDomainName !== undefined;

    if (cluster.type === 'serverless') {
      const workgroup = `arn:${owner.partition}:redshift-serverless:${region}:${owner.account}:workgroup/${anyCluster ? '*' : (cluster.workgroupId ?? '*')}`;
      serverless.push(workgroup);
      if (discovers) workgroups.push(workgroup);
      continue;
    }
    if (discovers) describe.push(redshift(`cluster:${id}`));
    if (cluster.credentialsApi === 'GetClusterCredentialsWithIAM') {
      withIam.push(redshift(`dbname:${id}/${database}`));
      continue;
    }
    const dbUser = redshift(`dbuser:${id}/${literal(identity.dbUser)}`);
    getCredentials.push(dbUser, redshift(`dbname:${id}/${database}`));
    const groups = dbGroupsFor(cluster, identity.dbGroups);
    if (groups.length > 0) {
      joinsGroups = true;
      const names = widened === 'none' ? groups.map(literal) : ['*'];
      getCredentials.push(...names.map((name) => redshift(`dbgroup:${id}/${name}`)));
    }
    if (cluster.autoCreate ?? identity.autoCreate) createUser.push(dbUser);
  }

  return [
    allow(joinsGroups ? ['redshift:GetClusterCredentials', 'redshift:JoinGroup'] : ['redshift:GetClusterCredentials'], getCredentials),
    allow(['redshift:CreateClusterUser'], createUser),
    allow(['redshift:GetClusterCredentialsWithIAM'], withIam),
    allow(['redshift:DescribeClusters'], describe),
    allow(['redshift-serverless:GetCredentials'], serverless),
    allow(['redshift-serverless:GetWorkgroup'], workgroups),
    // Read-only and account-wide (it takes no resource); AWS may consult it to resolve a custom domain.
    allow(['redshift:DescribeCustomDomainAssociations'], customDomain ? ['*'] : []),
  ].flatMap((statement) => (statement === undefined ? [] : [statement]));
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
  if (partition === undefined || account === undefined || !/^\d{12}$/.test(account)) throw new Error(`not a role ARN: ${roleArn}`);
  return { partition, account };
}

/** IAM reads `*`, `?` and `$` in a Resource as wildcards or variables; `${*}` and friends are the literal characters. */
function literal(name: string): string {
  return name.replace(/[$*?]/g, (char) => `\${${char}}`);
}

/** STS takes only Latin-1 in a policy; anything beyond it goes as a JSON escape, which means the same (JSON.stringify escapes control characters). */
function latin1(json: string): string {
  return json.replace(/[^\u0020-\u00ff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
