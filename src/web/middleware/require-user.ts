// Pages and API calls that need a signed-in session: browsers go to sign-in (and come back),
// API clients get 401 with a stable code; a session that just reached its end gets 401 SESSION_EXPIRED.
import type { RequestHandler } from 'express';
import { Unauthorized } from '../../errors.ts';
import { wantsJson } from './error-handler.ts';
import { sessionJustExpired } from './session-lifetime.ts';
import { sessionExpiredError } from '../../sign-in/session-lifetime.ts';

export function requireUser(): RequestHandler {
  return (req, res, next) => {
    if (req.user !== undefined) {
      next();
      return;
    }
    if (sessionJustExpired(res)) {
      next(sessionExpiredError());
      return;
    }
    if (wantsJson(req) || req.method !== 'GET') {
      next(new Unauthorized({ code: 'NOT_SIGNED_IN', publicMessage: 'Sign in first.' }));
      return;
    }
    res.redirect(302, `/login?returnTo=${encodeURIComponent(req.originalUrl)}`);
  };
}
