// Use case: a SAML response posted to the ACS, validated by the connection's strategy (through
// Passport, see saml/acs-strategy.ts), becomes a signed-in user: trade it for role sessions at
// once, decide admin rights; the raw response goes no further.
import type { Logger } from '../logger.ts';
import type { ServiceProvider, ValidatedLogin } from '../saml/service-provider.ts';
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import { assumeGrantedRoles, type AssumeRolesDeps, type RoleGrant } from '../credentials/assume-roles.ts';
import { AppError, isAppError } from '../errors.ts';
import { newSessionEnd } from './session-lifetime.ts';
import type { SessionUser } from './session-user.ts';

export interface SignInDeps extends AssumeRolesDeps {
  sp: Pick<ServiceProvider, 'idp'>;
  adminGroups: readonly string[];
  sessionMaxLifetimeSeconds: number;
  mayUseAnyCluster: (roleArn: string) => boolean;
  sessionPolicy?: (roleArn: string, identity: FederatedIdentity) => string | undefined;
  logger: Logger;
  now: () => Date;
}

/** `sessionId`: the browser session this sign-in will hold (its role sessions are sealed for it). */
export async function signInWithSaml(deps: SignInDeps, login: ValidatedLogin, sessionId: string): Promise<SessionUser> {
  const { identity, sessionNotOnOrAfter, samlResponse } = login;
  const idp = deps.sp.idp(identity.idpId);
  // Only an IdP the operator trusts to make admins can: a group name alone is not enough.
  const adminGroups = new Set(deps.adminGroups.map((g) => g.toLowerCase()));
  const admin = idp.grantsAdmin && identity.groups.some((g) => adminGroups.has(g.toLowerCase()));
  let grants: RoleGrant[];
  try {
    grants = await assumeGrantedRoles(deps, {
      identity,
      samlResponse,
      sessionId,
      maxSessionDurationSeconds: idp.maxSessionDurationSeconds,
      sessionSecondsLeft:
        sessionNotOnOrAfter === undefined
          ? undefined
          : Math.floor((sessionNotOnOrAfter.getTime() - deps.now().getTime()) / 1000),
      mayUseAnyCluster: deps.mayUseAnyCluster,
      sessionPolicy: deps.sessionPolicy,
    });
  } catch (err) {
    // An admin may sign in before any cluster accepts their roles: on a fresh install the console
    // is where the first cluster gets added.
    if (!(admin && isAppError(err) && err.code === 'ROLE_NOT_PERMITTED')) throw err;
    grants = [];
  }
  if (!(admin && grants.length === 0) && !grants.some((g) => g.status === 'ready')) throw allRefused(grants);
  deps.logger.info(
    {
      idpId: identity.idpId,
      nameId: identity.nameId,
      dbUser: identity.dbUser,
      roles: grants.map((g) => ({ roleArn: g.roleArn, status: g.status })),
      admin,
    },
    'signed in',
  );
  const now = deps.now();
  const sessionExpiresAt = newSessionEnd(now, deps.sessionMaxLifetimeSeconds, sessionNotOnOrAfter);
  return { identity, grants, admin, signedInAt: now.toISOString(), sessionExpiresAt: sessionExpiresAt.toISOString() };
}

/** Every role was refused by STS: the login fails with the reason of the first, naming them all. */
function allRefused(grants: RoleGrant[]): AppError {
  const first = grants[0]?.error;
  const reasons = grants.map((g) => `${g.roleArn}: ${g.error?.message ?? 'refused'}`).join(' ');
  return new AppError({
    code: first?.code ?? 'AWS_ACCESS_DENIED',
    status: first?.status ?? 403,
    expose: true,
    publicMessage: `AWS refused every role in your sign-in. ${reasons}`,
  });
}
