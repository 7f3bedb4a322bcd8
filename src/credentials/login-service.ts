// The two things a person does here, each audited and counted: sign in with a SAML response, and
// get database credentials for a cluster. Refusals are written to the audit trail too; an issued
// credential is written before its password leaves the service.
import { RoleNotPermitted, Unauthorized } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AuditTrail, RequestContext } from './audit-trail.ts';
import type { Metrics } from './metrics.ts';
import { onlyRoleForCluster, roleMayUseAnyCluster } from './cluster-access.ts';
import { signInWithSaml, type SessionUser, type SignInDeps } from './sign-in.ts';
import { issueDbLogin, type DbLogin, type IssueDbLoginDeps } from './issue-db-login.ts';

/** The pseudo-IdP of a setup-token session (no SAML sign-in behind it). */
export const SETUP_TOKEN_IDP = 'setup-token';

export interface LoginServiceDeps {
  signIn: Omit<SignInDeps, 'mayUseAnyCluster'>;
  dbLogin: Omit<IssueDbLoginDeps, 'clusters'>;
  /** The current clusters and enabled IdP ids (they change through the admin console). */
  clusters: () => readonly ClusterConfig[];
  idpEnabled: (idpId: string) => boolean;
  audit: AuditTrail;
  metrics: Metrics;
  logger: Logger;
}

export class LoginService {
  constructor(private readonly deps: LoginServiceDeps) {}

  async signIn(idpId: string, samlResponse: unknown, ctx: RequestContext, isBoundRequest?: (requestId: string) => boolean): Promise<SessionUser> {
    let user: SessionUser;
    try {
      user = await signInWithSaml({ ...this.deps.signIn, mayUseAnyCluster: (roleArn) => roleMayUseAnyCluster(this.deps.clusters(), roleArn) }, idpId, samlResponse, isBoundRequest);
    } catch (err) {
      this.deps.metrics.inc('redshift_sso_logins_total', { outcome: 'refused' });
      await this.deps.audit.loginRefused(idpId, err, ctx);
      throw err;
    }
    this.deps.metrics.inc('redshift_sso_logins_total', { outcome: 'ok' });
    await this.deps.audit.loginSucceeded(user, ctx);
    return user;
  }

  /** Without `requestedRole`, the one ready role that may use the cluster. */
  async issue(user: SessionUser, requestedRole: string | undefined, clusterId: string, ctx: RequestContext, options: { caFile?: string } = {}): Promise<DbLogin> {
    let login: DbLogin;
    let roleArn = requestedRole ?? '';
    try {
      // A connection removed or disabled in the meantime ends what its sign-ins may still do.
      if (user.identity.idpId !== SETUP_TOKEN_IDP && !this.deps.idpEnabled(user.identity.idpId)) {
        throw new Unauthorized({ code: 'IDP_DISABLED', publicMessage: 'The identity provider you signed in with is no longer enabled here. Sign in again.' });
      }
      const ready = user.grants.filter((g) => g.status === 'ready').map((g) => g.roleArn);
      roleArn = requestedRole ?? onlyRoleForCluster(ready, this.deps.clusters(), clusterId);
      const grant = user.grants.find((g) => g.roleArn === roleArn);
      if (grant === undefined) throw new RoleNotPermitted({ code: 'ROLE_NOT_GRANTED', publicMessage: 'Your sign-in did not grant that role.' });
      login = await issueDbLogin({ ...this.deps.dbLogin, clusters: this.deps.clusters() }, { identity: user.identity, grant, clusterId, ...options });
    } catch (err) {
      await this.deps.audit.credentialsRefused(user, roleArn, clusterId, err, ctx);
      throw err;
    }
    await this.deps.audit.credentialsIssued(user, login, ctx);
    this.deps.metrics.inc('redshift_sso_db_logins_total', { cluster: clusterId });
    const { identity } = user;
    this.deps.logger.info(
      { idpId: identity.idpId, nameId: identity.nameId, roleArn, clusterId, dbUser: login.dbUser, expiresAt: login.expiration.toISOString(), awsRequestIds: login.awsRequestIds },
      'issued db login',
    );
    return login;
  }
}
