// The two things a person does here, each audited and counted: sign in with a SAML response, and
// get database credentials for a cluster. Refusals are written to the audit trail too; an issued
// credential is written before its password leaves the service.
import { isAppError, RoleNotPermitted, Unauthorized } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AuditTrail, RequestContext } from './audit-trail.ts';
import type { Metrics } from '../metrics.ts';
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import type { ValidatedLogin } from '../saml/service-provider.ts';
import { clustersForRole, onlyRoleForCluster, roleMayUseAnyCluster } from './cluster-access.ts';
import { buildSessionPolicy } from './session-policy.ts';
import { signInWithSaml, type SessionUser, type SignInDeps } from './sign-in.ts';
import { issueDbLogin, type DbLogin, type IssueDbLoginDeps } from './issue-db-login.ts';

/** The pseudo-IdP of a setup-token session (no SAML sign-in behind it). */
export const SETUP_TOKEN_IDP = 'setup-token';

export interface LoginServiceDeps {
  signIn: Omit<SignInDeps, 'mayUseAnyCluster' | 'sessionPolicy'>;
  dbLogin: Omit<IssueDbLoginDeps, 'clusters'>;
  /** The current clusters and enabled IdP ids (they change through the admin console). */
  clusters: () => readonly ClusterConfig[];
  idpEnabled: (idpId: string) => boolean;
  audit: AuditTrail;
  metrics: Pick<Metrics, 'signIn' | 'samlRefused' | 'dbLoginIssued'>;
  logger: Logger;
}

export class LoginService {
  constructor(private readonly deps: LoginServiceDeps) {}

  /** `validate`: the connection's strategy run on the posted response (refusals are audited here). */
  async signIn(idpId: string, ctx: RequestContext, validate: () => Promise<ValidatedLogin>): Promise<SessionUser> {
    let user: SessionUser;
    try {
      const login = await validate();
      const clusters = this.deps.clusters();
      const scope = {
        mayUseAnyCluster: (roleArn: string) => roleMayUseAnyCluster(clusters, roleArn),
        sessionPolicy: (roleArn: string, identity: FederatedIdentity) => this.sessionPolicy(clusters, roleArn, identity),
      };
      user = await signInWithSaml({ ...this.deps.signIn, ...scope }, login, ctx.sessionId ?? '');
    } catch (err) {
      this.countRefusal(idpId, err);
      await this.deps.audit.loginRefused(idpId, err, ctx);
      throw err;
    }
    this.deps.metrics.signIn(this.idpLabel(idpId), 'ok');
    await this.deps.audit.loginSucceeded(user, ctx);
    return user;
  }

  /** The role session gets only what this service does with it, for this person (session-policy.ts). */
  private sessionPolicy(clusters: readonly ClusterConfig[], roleArn: string, identity: FederatedIdentity): string | undefined {
    const policy = buildSessionPolicy({ roleArn, clusters: clustersForRole(clusters, roleArn), identity, defaultRegion: this.deps.dbLogin.defaultRegion });
    if (policy !== undefined && policy.widened !== 'none') {
      this.deps.logger.warn({ roleArn, widened: policy.widened }, 'session policy widened to fit the 2048-character limit');
    }
    return policy?.json;
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
      login = await issueDbLogin({ ...this.deps.dbLogin, clusters: this.deps.clusters() }, { identity: user.identity, grant, clusterId, sessionId: ctx.sessionId ?? '', ...options });
    } catch (err) {
      await this.deps.audit.credentialsRefused(user, roleArn, clusterId, err, ctx);
      throw err;
    }
    await this.deps.audit.credentialsIssued(user, login, ctx);
    this.deps.metrics.dbLoginIssued(clusterId);
    const { identity } = user;
    this.deps.logger.info(
      { idpId: identity.idpId, nameId: identity.nameId, roleArn, clusterId, dbUser: login.dbUser, expiresAt: login.expiration.toISOString(), awsRequestIds: login.awsRequestIds },
      'issued db login',
    );
    return login;
  }

  private countRefusal(idpId: string, err: unknown): void {
    const refused = isAppError(err) && err.status < 500;
    this.deps.metrics.signIn(this.idpLabel(idpId), refused ? 'refused' : 'error');
    if (refused) this.deps.metrics.samlRefused(err.code);
  }

  /** The IdP id comes from the ACS URL: only enabled connections become label values. */
  private idpLabel(idpId: string): string {
    return this.deps.idpEnabled(idpId) ? idpId : 'other';
  }
}
