// Pages and API calls that need a signed-in session: browsers go to sign-in (and come back),
// API clients get 401 with a stable code.
import type { RequestHandler } from 'express';
import { Unauthorized } from '../../errors.ts';
import { wantsJson } from './error-handler.ts';

export function requireUser(): RequestHandler {
  return (req, res, next) => {
    if (req.user !== undefined) {
      next();
      return;
    }
    if (wantsJson(req) || req.method !== 'GET') {
      next(new Unauthorized({ code: 'NOT_SIGNED_IN', publicMessage: 'Sign in first.' }));
      return;
    }
    res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}
