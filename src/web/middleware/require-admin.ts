// Admin pages: a signed-in admin (an admin group in the assertion of an IdP that may make admins,
// or the setup token) or a refusal. Admin rights are re-checked on every request, since the IdP
// behind them can be disabled or removed after sign-in; such a refusal is audited.
import type { Request, RequestHandler, Response } from 'express';
import { Forbidden, type AppError } from '../../errors.ts';
import { sessionExpiredError } from '../../sign-in/session-lifetime.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import { sessionJustExpired } from './session-lifetime.ts';
import { signOut } from '../sign-out.ts';

export interface RequireAdminOptions {
  /** Why this admin session may no longer act as admin (see admin/admin-session.ts). */
  problem: (user: SessionUser) => AppError | undefined;
  /** Records the refusal (the audit trail); must not throw. */
  refused: (user: SessionUser, err: AppError, req: Request, res: Response) => Promise<void>;
}

export function requireAdmin(options: RequireAdminOptions): RequestHandler {
  return (req, res, next) => {
    const user = req.user;
    if (user?.admin === true) {
      const problem = options.problem(user);
      if (problem === undefined) {
        next();
        return;
      }
      // A setup-token session is over for good once an IdP exists, even if every IdP goes again.
      const end = problem.code === 'SETUP_SESSION_ENDED' ? () => signOut(req) : () => Promise.resolve();
      options
        .refused(user, problem, req, res)
        .then(end)
        .then(() => next(problem), next);
      return;
    }
    if (sessionJustExpired(res)) {
      next(sessionExpiredError());
      return;
    }
    if (user === undefined && req.method === 'GET') {
      res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    next(new Forbidden({ code: 'ADMIN_REQUIRED', publicMessage: 'This page is for administrators of redshift-sso.' }));
  };
}
