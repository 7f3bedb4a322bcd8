// What a signed-in browser session holds: the federated identity and the role grants (sealed
// role sessions) from the ACS. Lives server-side in the session store; the cookie is only an ID.
import type { RoleGrant } from '../credentials/assume-roles.ts';
import type { SessionUser } from '../credentials/sign-in.ts';

export type { SessionUser };

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    passport?: { user?: SessionUser };
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // Passport types req.user as Express.User; ours is a SessionUser.
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
  }
}

export function readyGrants(user: SessionUser): RoleGrant[] {
  return user.grants.filter((g) => g.status === 'ready');
}
