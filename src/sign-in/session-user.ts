// What a signed-in session holds: the federated identity and the role grants (sealed role sessions)
// from the ACS. Lives server-side in the session store; the cookie is only an ID. The CLI's tokens
// stand for one too. The one import path of SessionUser.
import type { FederatedIdentity } from '../saml/federated-identity.ts';
import type { RoleGrant } from '../credentials/assume-roles.ts';

export interface SessionUser {
  identity: FederatedIdentity;
  grants: RoleGrant[];
  admin: boolean;
  signedInAt: string;
  /** The absolute end of this session (see session-lifetime.ts); using it never moves this. */
  sessionExpiresAt: string;
}

export function readyGrants(user: SessionUser): RoleGrant[] {
  return user.grants.filter((g) => g.status === 'ready');
}
