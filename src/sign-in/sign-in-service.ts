// Sign-in with a SAML response, audited and counted: the ACS's use case (sign-in.ts) with its
// audit line and metrics. Refusals are written to the audit trail too. Database credentials are
// the other thing a person does here: credentials/db-login-service.ts.
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { AuditTrail, RequestContext } from '../audit/audit-trail.ts';
import type { Metrics } from '../metrics.ts';
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import type { ValidatedLogin } from '../saml/service-provider.ts';
import { clustersForRole, roleMayUseAnyCluster } from '../credentials/cluster-access.ts';
import { buildSessionPolicy } from '../credentials/session-policy.ts';
import { signInWithSaml, type SignInDeps } from './sign-in.ts';
import type { SessionUser } from './session-user.ts';
import type { IssueDbLoginDeps } from '../credentials/issue-db-login.ts';

export interface SignInServiceDeps {
  signIn: Omit<SignInDeps, 'mayUseAnyCluster' | 'sessionPolicy'>;
  /** The region of clusters that name none (for the session policy's ARNs). */
  dbLogin: Pick<IssueDbLoginDeps, 'defaultRegion'>;
  /** The current clusters and enabled IdP ids (they change through the admin console). */
  clusters: () => readonly ClusterConfig[];
  idpEnabled: (idpId: string) => boolean;
  audit: AuditTrail;
  metrics: Pick<Metrics, 'signIn' | 'samlRefused'>;
  logger: Logger;
}

export class SignInService {
  constructor(private readonly deps: SignInServiceDeps) {}

  /** `validate`: the connection's strategy run on the posted response (refusals are audited here). */
  async signIn(idpId: string, ctx: RequestContext, validate: () => Promise<ValidatedLogin>): Promise<SessionUser> {
    let user: SessionUser;
    try {
      const login = await validate();
      const clusters = this.deps.clusters();
      const scope = {
        mayUseAnyCluster: (roleArn: string) => roleMayUseAnyCluster(clusters, roleArn),
        sessionPolicy: (roleArn: string, identity: FederatedIdentity) =>
          this.sessionPolicy(clusters, roleArn, identity),
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
  private sessionPolicy(
    clusters: readonly ClusterConfig[],
    roleArn: string,
    identity: FederatedIdentity,
  ): string | undefined {
    const policy = buildSessionPolicy({
      roleArn,
      clusters: clustersForRole(clusters, roleArn),
      identity,
      defaultRegion: this.deps.dbLogin.defaultRegion,
    });
    if (policy !== undefined && policy.widened !== 'none') {
      this.deps.logger.warn(
        { roleArn, widened: policy.widened },
        'session policy widened to fit the 2048-character limit',
      );
    }
    return policy?.json;
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
