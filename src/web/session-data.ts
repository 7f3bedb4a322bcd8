// Types of what Express keeps per request and per session: req.user is a SessionUser, and the
// session record holds the CSRF token and Passport's user.
import type { SessionUser } from '../sign-in/session-user.ts';

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
