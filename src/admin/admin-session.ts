// Is an admin session still an admin session? Checked on every admin request, because admin rights
// are decided at sign-in while the IdP behind them can be disabled, removed, replaced or stripped
// of the right to make admins later; and a setup-token session exists only until the first IdP.
import { Forbidden, Unauthorized, type AppError } from '../errors.ts';
import type { IdpConnection } from '../saml/idp-connection.ts';
import type { SessionUser } from '../sign-in/session-user.ts';
import { SETUP_TOKEN_IDP } from '../setup-token/setup-session.ts';

export interface AdminSessionContext {
  /** The enabled IdP connections now (configuration file and console). */
  idps: readonly IdpConnection[];
  /** Whether any IdP connection exists, enabled or not. */
  anyIdpExists: boolean;
}

/** Why this admin session may no longer act as admin, or undefined when it still may. */
export function adminSessionProblem(user: SessionUser, ctx: AdminSessionContext): AppError | undefined {
  const { identity } = user;
  if (identity.idpId === SETUP_TOKEN_IDP) {
    return ctx.anyIdpExists
      ? new Unauthorized({
          code: 'SETUP_SESSION_ENDED',
          publicMessage: 'The setup session ended when the first IdP connection was saved. Sign in through that IdP.',
        })
      : undefined;
  }
  const idp = ctx.idps.find((i) => i.id === identity.idpId);
  // Same id but another issuer: the connection was removed and a different IdP added under its name.
  if (idp === undefined || idp.entityId !== identity.issuer) {
    return new Unauthorized({
      code: 'IDP_DISABLED',
      publicMessage: 'The identity provider you signed in with is no longer enabled here. Sign in again.',
    });
  }
  if (!idp.grantsAdmin) {
    return new Forbidden({
      code: 'IDP_ADMIN_NOT_ALLOWED',
      publicMessage: 'The identity provider you signed in with may no longer make administrators.',
    });
  }
  return undefined;
}
