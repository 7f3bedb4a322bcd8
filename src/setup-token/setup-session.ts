// The admin session a setup token opens: a pseudo-IdP with no SAML sign-in, no roles and no
// database access; it ends when the first IdP connection exists (admin/admin-session.ts).
import type { SessionUser } from '../sign-in/session-user.ts';
import { newSessionEnd } from '../sign-in/session-lifetime.ts';

/** The pseudo-IdP of a setup-token session (no SAML sign-in behind it). */
export const SETUP_TOKEN_IDP = 'setup-token';

export function isSetupSession(user: SessionUser | undefined): boolean {
  return user?.identity.idpId === SETUP_TOKEN_IDP;
}

/** The session user the accepted setup token signs in (admin, and nothing else). */
export function setupSessionUser(now: Date, maxLifetimeSeconds: number): SessionUser {
  return {
    identity: {
      idpId: SETUP_TOKEN_IDP,
      issuer: 'redshift-sso',
      nameId: 'setup-token',
      roles: [],
      roleSessionName: 'setup',
      dbUser: 'setup',
      dbGroups: [],
      autoCreate: false,
      groups: [],
      ignored: [],
    },
    grants: [],
    admin: true,
    signedInAt: now.toISOString(),
    sessionExpiresAt: newSessionEnd(now, maxLifetimeSeconds).toISOString(),
  };
}
