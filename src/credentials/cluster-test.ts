// Use case behind the console's "Test this cluster": does the cluster entry name something AWS
// can find? Asks DescribeClusters (provisioned) or GetWorkgroup (Serverless) with one of the
// signed-in admin's own role sessions, the one for a role the cluster lists or else one of the
// same account, and reports what AWS answered. It never asks for database credentials.
import { isAppError, NotFound } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { DiscoveredEndpoint, RedshiftApi, RoleSession } from '../aws/ports.ts';
import type { RoleGrant } from './assume-roles.ts';
import type { RoleSessionVault } from './role-session-vault.ts';
import type { SessionUser } from './sign-in.ts';
import { accountOfArn, accountsOf, regionOf } from './cluster-access.ts';

export interface ClusterTestResult {
  clusterId: string;
  operation: 'DescribeClusters' | 'GetWorkgroup';
  /** The cluster identifier or workgroup name asked for. */
  target: string;
  region: string;
  /** The role whose session made the call, when there was one to use. */
  roleArn?: string;
  found: boolean;
  /** ClusterStatus or the workgroup's status, as AWS reported it. */
  status?: string;
  host?: string;
  port?: number;
  /** The entry's own host and port, which sign-ins use instead of what AWS reports. */
  configured?: { host: string; port: number };
  error?: { code: string; message: string };
  /** The admin has no usable role session for this: signing in again would give one. */
  signInAgain: boolean;
  note?: string;
  awsRequestId?: string;
}

export interface ClusterTestDeps {
  redshift: RedshiftApi;
  vault: RoleSessionVault;
  clusters: () => readonly ClusterConfig[];
  defaultRegion: string;
  now: () => Date;
  logger: Logger;
}

type Base = Omit<ClusterTestResult, 'found' | 'signInAgain'>;
type ChosenSession = { roleArn: string; session: RoleSession };
type Refusal = { code: string; message: string };

export class ClusterTester {
  constructor(private readonly deps: ClusterTestDeps) {}

  /** `sessionId`: the browser session the admin's role sessions are sealed for. */
  async test(user: SessionUser, clusterId: string, sessionId: string): Promise<ClusterTestResult> {
    const cluster = this.deps.clusters().find((c) => c.id === clusterId);
    if (cluster === undefined) {
      const publicMessage = `There is no cluster "${clusterId.slice(0, 64)}".`;
      throw new NotFound({ code: 'CLUSTER_UNKNOWN', publicMessage });
    }
    const result = await this.run(user, cluster, sessionId);
    const { roleArn, found, error, awsRequestId } = result;
    this.deps.logger.info({ clusterId, roleArn, found, code: error?.code, awsRequestId }, 'cluster tested');
    return result;
  }

  private async run(user: SessionUser, cluster: ClusterConfig, sessionId: string): Promise<ClusterTestResult> {
    const serverless = cluster.type === 'serverless';
    const base: Base = {
      clusterId: cluster.id,
      operation: serverless ? 'GetWorkgroup' : 'DescribeClusters',
      target: (serverless ? cluster.workgroup : cluster.clusterIdentifier) ?? '',
      region: regionOf(cluster, this.deps.defaultRegion),
      ...(cluster.host === undefined ? {} : { configured: { host: cluster.host, port: cluster.port ?? 5439 } }),
    };
    if (base.target === '') {
      const why = 'This entry names the cluster only by its custom domain; DescribeClusters needs its identifier.';
      return failed(base, 'CLUSTER_NOT_TESTABLE', why);
    }
    const chosen = this.roleSession(user, cluster, sessionId);
    if (!('session' in chosen)) return { ...failed(base, chosen.code, chosen.message), signInAgain: true };
    const withRole = { ...base, roleArn: chosen.roleArn };
    try {
      const answer = serverless
        ? await this.deps.redshift.getWorkgroupEndpoint(chosen.session, base.region, base.target)
        : await this.deps.redshift.describeClusterEndpoint(chosen.session, base.region, base.target);
      return found(withRole, answer.value, answer.requestId);
    } catch (err) {
      // The AWS adapter turns every failure into an AppError; anything else is a bug to surface.
      if (!isAppError(err)) throw err;
      const signInAgain = err.code === 'AWS_SESSION_EXPIRED';
      const result = { ...failed(withRole, err.code, err.publicMessage), signInAgain };
      const awsRequestId = typeof err.details.awsRequestId === 'string' ? err.details.awsRequestId : undefined;
      return { ...result, ...(awsRequestId === undefined ? {} : { awsRequestId }), ...noteFor(err.code, cluster) };
    }
  }

  /** The admin's live role session for this cluster's account, or why there is none. */
  private roleSession(user: SessionUser, cluster: ClusterConfig, sessionId: string): ChosenSession | Refusal {
    const ready = user.grants.filter((g) => g.status === 'ready' && g.sealed !== undefined);
    const accounts = accountsOf(cluster);
    const grant: RoleGrant | undefined =
      ready.find((g) => cluster.roles.includes(g.roleArn)) ??
      ready.find((g) => accounts.includes(accountOfArn(g.roleArn) ?? ''));
    if (grant === undefined) {
      if (ready.length === 0) {
        const message =
          'You hold no AWS role session: you signed in with the setup token, or AWS refused your roles when you ' +
          "signed in. Sign in again through an IdP that grants you a role in this cluster's account.";
        return { code: 'ROLE_SESSION_MISSING', message };
      }
      const account = accounts.join(' or ') || '(unknown)';
      const roles = cluster.roles.join(', ');
      const message = `None of your role sessions is for account ${account}. Sign in again with one of: ${roles}.`;
      return { code: 'NO_ROLE_FOR_ACCOUNT', message };
    }
    const binding = { sessionId, idpId: user.identity.idpId, nameId: user.identity.nameId };
    const session = grant.sealed === undefined ? undefined : this.deps.vault.open(grant.sealed, binding);
    if (session === undefined) {
      const message = `There is no AWS session for role ${grant.roleArn}. Sign in again.`;
      return { code: 'ROLE_SESSION_MISSING', message };
    }
    if (session.expiration.getTime() <= this.deps.now().getTime()) {
      const message = `Your AWS role session for ${grant.roleArn} has expired. Sign in again to get a new one.`;
      return { code: 'AWS_SESSION_EXPIRED', message };
    }
    return { roleArn: grant.roleArn, session };
  }
}

function found(base: Base, endpoint: DiscoveredEndpoint, awsRequestId: string | undefined): ClusterTestResult {
  return {
    ...base,
    found: true,
    signInAgain: false,
    host: endpoint.host,
    port: endpoint.port,
    ...(endpoint.status === undefined ? {} : { status: endpoint.status }),
    ...(awsRequestId === undefined ? {} : { awsRequestId }),
  };
}

function failed(base: Base, code: string, message: string): ClusterTestResult {
  return { ...base, found: false, signInAgain: false, error: { code, message } };
}

/** Sign-in sessions get DescribeClusters/GetWorkgroup only for entries without a host (session-policy.ts). */
function noteFor(code: string, cluster: ClusterConfig): { note?: string } {
  if (code !== 'AWS_ACCESS_DENIED' || cluster.host === undefined || !cluster.sessionPolicy) return {};
  return {
    note:
      `This entry sets its host (${cluster.host}), so sign-in sessions for its roles may not look the endpoint ` +
      'up (their session policy leaves DescribeClusters/GetWorkgroup out); sign-ins use the configured host and port.',
  };
}
