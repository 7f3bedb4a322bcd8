// Database credentials for a cluster, audited and counted: the credential use case
// (issue-db-login.ts) for a signed-in session or CLI token. Refusals are written to the audit
// trail too; an issued credential is written before its password leaves the service.
import { RoleNotPermitted, Unauthorized } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AuditTrail, RequestContext } from '../audit/audit-trail.ts';
import type { Metrics } from '../metrics.ts';
import type { SessionUser } from '../sign-in/session-user.ts';
import { SETUP_TOKEN_IDP } from '../setup-token/setup-session.ts';
import { onlyRoleForCluster } from './cluster-access.ts';
import { issueDbLogin, type DbLogin, type IssueDbLoginDeps } from './issue-db-login.ts';

export interface DbLoginServiceDeps {
  dbLogin: Omit<IssueDbLoginDeps, 'clusters'>;
  /** The current clusters and enabled IdP ids (they change through the admin console). */
  clusters: () => readonly ClusterConfig[];
  idpEnabled: (idpId: string) => boolean;
  audit: AuditTrail;
  metrics: Pick<Metrics, 'dbLoginIssued'>;
  logger: Logger;
}

export class DbLoginService {
  constructor(private readonly deps: DbLoginServiceDeps) {}

  /** Without `requestedRole`, the one ready role that may use the cluster. */
  async issue(
    user: SessionUser,
    requestedRole: string | undefined,
    clusterId: string,
    ctx: RequestContext,
    options: { caFile?: string } = {},
  ): Promise<DbLogin> {
    let login: DbLogin;
    let roleArn = requestedRole ?? '';
    try {
      // A connection removed or disabled in the meantime ends what its sign-ins may still do.
      if (user.identity.idpId !== SETUP_TOKEN_IDP && !this.deps.idpEnabled(user.identity.idpId)) {
        throw new Unauthorized({
          code: 'IDP_DISABLED',
          publicMessage: 'The identity provider you signed in with is no longer enabled here. Sign in again.',
        });
      }
      const ready = user.grants.filter((g) => g.status === 'ready').map((g) => g.roleArn);
      roleArn = requestedRole ?? onlyRoleForCluster(ready, this.deps.clusters(), clusterId);
      const grant = user.grants.find((g) => g.roleArn === roleArn);
      if (grant === undefined)
        throw new RoleNotPermitted({
          code: 'ROLE_NOT_GRANTED',
          publicMessage: 'Your sign-in did not grant that role.',
        });
      login = await issueDbLogin(
        { ...this.deps.dbLogin, clusters: this.deps.clusters() },
        { identity: user.identity, grant, clusterId, sessionId: ctx.sessionId ?? '', ...options },
      );
    } catch (err) {
      await this.deps.audit.credentialsRefused(user, roleArn, clusterId, err, ctx);
      throw err;
    }
    await this.deps.audit.credentialsIssued(user, login, ctx);
    this.deps.metrics.dbLoginIssued(clusterId);
    const { identity } = user;
    this.deps.logger.info(
      {
        idpId: identity.idpId,
        nameId: identity.nameId,
        roleArn,
        clusterId,
        dbUser: login.dbUser,
        expiresAt: login.expiration.toISOString(),
        awsRequestIds: login.awsRequestIds,
      },
      'issued db login',
    );
    return login;
  }
}
