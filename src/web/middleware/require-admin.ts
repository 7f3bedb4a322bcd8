// Admin pages: a signed-in admin (an admin group in the assertion, or the setup token) or 403.
import type { RequestHandler } from 'express';
import { Forbidden } from '../../errors.ts';

export function requireAdmin(): RequestHandler {
  return (req, res, next) => {
    if (req.user?.admin === true) {
      next();
      return;
    }
    if (req.user === undefined && req.method === 'GET') {
      res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    next(new Forbidden({ code: 'ADMIN_REQUIRED', publicMessage: 'This page is for administrators of redshift-sso.' }));
  };
}
