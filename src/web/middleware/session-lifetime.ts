// Sessions end at a fixed time after sign-in (credentials/session-lifetime.ts), however busy. A
// request that brings a session past its end signs it out here (audited once); routes that need a
// user then answer 401 SESSION_EXPIRED, while public pages and the sign-in routes carry on for the
// now signed-out browser, so signing in again is never blocked by the old cookie.
import type { Request, RequestHandler, Response } from 'express';
import { sessionEndsAt } from '../../sign-in/session-lifetime.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import { signOut } from '../sign-out.ts';

export interface SessionLifetimeOptions {
  maxLifetimeSeconds: number;
  now: () => Date;
  /** Records the expired session (the audit trail); must not throw. */
  expired: (user: SessionUser, req: Request, res: Response) => Promise<void>;
}

export function enforceSessionLifetime(options: SessionLifetimeOptions): RequestHandler {
  return (req, res, next) => {
    const user = req.user;
    if (user === undefined || options.now() < sessionEndsAt(user, options.maxLifetimeSeconds)) {
      next();
      return;
    }
    options
      .expired(user, req, res)
      .then(() => signOut(req))
      .then(() => {
        res.locals.sessionExpired = true;
        next();
      }, next);
  };
}

/** Whether this request came with a session that just ended (see enforceSessionLifetime). */
export function sessionJustExpired(res: Response): boolean {
  return res.locals.sessionExpired === true;
}
