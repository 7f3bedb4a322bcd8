// Use case: a signed-in identity, one of its role sessions and a cluster become a database login.
// Steps: check the role may use the cluster, open the sealed role session, ask Redshift for
// credentials with it, find the endpoint (configuration, else DescribeClusters/GetWorkgroup,
// cached), and build the connection strings.
import { AppError, Unauthorized } from '../errors.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type {
  ClusterCredentialsWithIamInput,
  DbCredentials,
  Endpoint,
  RedshiftApi,
  RoleSession,
} from '../aws/ports.ts';
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import { buildConnectionStrings, type ConnectionStrings, type SslMode } from './connection-strings.ts';
import { requireClusterForRole } from './cluster-access.ts';
import { filterDbGroups } from '../config/db-groups-filter.ts';
import type { RoleGrant } from './assume-roles.ts';
import type { RoleSessionVault } from './role-session-vault.ts';

export interface DbLogin {
  clusterId: string;
  roleArn: string;
  dbUser: string;
  dbPassword: string;
  expiration: Date;
  durationSeconds: number;
  host: string;
  port: number;
  database: string;
  sslMode: SslMode;
  /** What the strings name as sslrootcert: a CA file on the client, `system`, or nothing. */
  sslRootCert?: string;
  /** The cluster has a CA bundle to download (GET /ca/<cluster id>.pem). */
  hasCaBundle: boolean;
  odbcDriver?: string;
  connectionStrings: ConnectionStrings;
  awsRequestIds: string[];
}

export interface IssueDbLoginDeps {
  redshift: RedshiftApi;
  vault: RoleSessionVault;
  clusters: readonly ClusterConfig[];
  defaultRegion: string;
  endpoints: EndpointCache;
  now: () => Date;
}

export interface IssueDbLoginInput {
  identity: FederatedIdentity;
  grant: RoleGrant;
  clusterId: string;
  /** Where the client keeps the cluster's CA bundle (the CLI sends the path it installed it at). */
  caFile?: string;
  /** The browser session holding the grant: its sealed role session opens only there. */
  sessionId: string;
}

/** The same login with its strings naming the client's copy of the CA bundle at `caFile`. */
export function withCaFile(login: DbLogin, caFile: string): DbLogin {
  if (!login.hasCaBundle || login.sslRootCert === undefined) return login;
  const target = { ...login, sslRootCert: caFile };
  return { ...target, connectionStrings: buildConnectionStrings(target) };
}

/** The CA file name the page offers the bundle under; strings name it when the client sent no path. */
export function defaultCaFile(clusterId: string): string {
  return `redshift-sso-${clusterId}-ca.pem`;
}

// libpq 16+ reads `system` as the OS trust store, but only with verify-full (weaker modes are an
// error there); Redshift's own endpoints chain to public roots, so that is all they need.
export function sslRootCertFor(cluster: ClusterConfig, caFile?: string): string | undefined {
  if (cluster.caBundle !== undefined && (cluster.sslMode === 'verify-ca' || cluster.sslMode === 'verify-full'))
    return caFile ?? defaultCaFile(cluster.id);
  return cluster.sslMode === 'verify-full' ? 'system' : undefined;
}

export async function issueDbLogin(deps: IssueDbLoginDeps, input: IssueDbLoginInput): Promise<DbLogin> {
  const cluster = requireClusterForRole(deps.clusters, input.clusterId, input.grant.roleArn);
  const session = openSession(deps, input);
  const region = cluster.region ?? deps.defaultRegion;
  const requestIds: Array<string | undefined> = [];

  const credentials = await requestCredentials(deps.redshift, session, cluster, region, input.identity);
  requestIds.push(credentials.requestId);
  const endpoint = await resolveEndpoint(deps, session, cluster, region);
  requestIds.push(endpoint.requestId);

  const target = {
    dbUser: credentials.value.dbUser,
    dbPassword: credentials.value.dbPassword,
    host: endpoint.value.host,
    port: endpoint.value.port,
    database: cluster.database,
    sslMode: cluster.sslMode,
    sslRootCert: sslRootCertFor(cluster, input.caFile),
    odbcDriver: cluster.odbcDriver,
  };
  return {
    ...target,
    hasCaBundle: cluster.caBundle !== undefined,
    clusterId: cluster.id,
    roleArn: input.grant.roleArn,
    expiration: credentials.value.expiration,
    durationSeconds: cluster.durationSeconds,
    connectionStrings: buildConnectionStrings(target),
    awsRequestIds: requestIds.filter((id): id is string => id !== undefined),
  };
}

function openSession(deps: IssueDbLoginDeps, { grant, identity, sessionId }: IssueDbLoginInput): RoleSession {
  if (grant.status === 'refused') {
    throw new AppError({
      code: grant.error?.code ?? 'AWS_ACCESS_DENIED',
      status: grant.error?.status ?? 403,
      expose: true,
      publicMessage: grant.error?.message ?? `AWS refused role ${grant.roleArn} at sign-in.`,
    });
  }
  // A box sealed for another session or person (copied in the store) does not open: sign in again.
  const binding = { sessionId, idpId: identity.idpId, nameId: identity.nameId };
  const session =
    grant.status === 'ready' && grant.sealed !== undefined ? deps.vault.open(grant.sealed, binding) : undefined;
  if (session === undefined) {
    throw new Unauthorized({
      code: 'ROLE_SESSION_MISSING',
      publicMessage: `There is no AWS session for role ${grant.roleArn}. Sign in again.`,
    });
  }
  if (session.expiration.getTime() <= deps.now().getTime()) {
    throw new Unauthorized({
      code: 'AWS_SESSION_EXPIRED',
      publicMessage: 'Your AWS role session has expired. Sign in again to get a new one.',
    });
  }
  return session;
}

function requestCredentials(
  redshift: RedshiftApi,
  session: RoleSession,
  cluster: ClusterConfig,
  region: string,
  identity: FederatedIdentity,
): Promise<{ value: DbCredentials; requestId?: string }> {
  if (cluster.type === 'serverless') {
    return redshift.getServerlessCredentials(session, {
      region,
      workgroupName: cluster.workgroup ?? '',
      dbName: cluster.database,
      durationSeconds: cluster.durationSeconds,
    });
  }
  const provisioned: ClusterCredentialsWithIamInput = {
    region,
    clusterIdentifier: cluster.clusterIdentifier ?? '',
    ...customDomainOf(cluster),
    dbName: cluster.database,
    durationSeconds: cluster.durationSeconds,
  };
  if (cluster.credentialsApi === 'GetClusterCredentialsWithIAM') {
    return redshift.getClusterCredentialsWithIam(session, provisioned);
  }
  return redshift.getClusterCredentials(session, {
    ...provisioned,
    dbUser: identity.dbUser,
    autoCreate: cluster.autoCreate ?? identity.autoCreate,
    dbGroups: dbGroupsFor(cluster, identity.dbGroups),
  });
}

function customDomainOf(cluster: ClusterConfig): { customDomainName?: string } {
  return cluster.customDomainName === undefined ? {} : { customDomainName: cluster.customDomainName };
}

/** The cluster's DbGroups policy: fixed groups, SAML's groups filtered by a pattern, or SAML's as sent. */
export function dbGroupsFor(cluster: ClusterConfig, fromSaml: readonly string[]): string[] {
  if (cluster.dbGroups !== undefined) return [...cluster.dbGroups];
  if (cluster.dbGroupsFilter === undefined) return [...fromSaml];
  return filterDbGroups(cluster.dbGroupsFilter, fromSaml);
}

async function resolveEndpoint(
  deps: IssueDbLoginDeps,
  session: RoleSession,
  cluster: ClusterConfig,
  region: string,
): Promise<{ value: Endpoint; requestId?: string }> {
  if (cluster.host !== undefined) return { value: { host: cluster.host, port: cluster.port ?? 5439 } };
  if (cluster.customDomainName !== undefined)
    return { value: { host: cluster.customDomainName, port: cluster.port ?? 5439 } };
  const cached = deps.endpoints.get(cluster.id, deps.now());
  if (cached !== undefined) return { value: { ...cached, port: cluster.port ?? cached.port } };
  const found =
    cluster.type === 'serverless'
      ? await deps.redshift.getWorkgroupEndpoint(session, region, cluster.workgroup ?? '')
      : await deps.redshift.describeClusterEndpoint(session, region, cluster.clusterIdentifier ?? '');
  deps.endpoints.set(cluster.id, found.value, deps.now());
  return { value: { ...found.value, port: cluster.port ?? found.value.port }, requestId: found.requestId };
}

/** Endpoints found through AWS, remembered for a while: they change only when a cluster moves. */
export class EndpointCache {
  private readonly entries = new Map<string, { endpoint: Endpoint; until: number }>();
  constructor(private readonly ttlMs = 10 * 60_000) {}
  get(clusterId: string, now: Date): Endpoint | undefined {
    const entry = this.entries.get(clusterId);
    return entry !== undefined && entry.until > now.getTime() ? entry.endpoint : undefined;
  }
  set(clusterId: string, endpoint: Endpoint, now: Date): void {
    this.entries.set(clusterId, { endpoint, until: now.getTime() + this.ttlMs });
  }
}
