// The CSRF token of the setup form, kept in a cookie rather than the session (double submit).
// /admin/setup is open to anyone, and a session row for every anonymous visit would let any
// client fill the store; the session starts only when the setup token is accepted. A cross-site
// page can neither read the cookie nor send it (SameSite=Strict), nor set it on HTTPS (__Host-).
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { readCookie } from './read-cookie.ts';
import { formTokenRefusal } from './middleware/csrf.ts';

const TOKEN = /^[A-Za-z0-9_-]{32}$/;
const MAX_AGE_MS = 3600_000;

export interface SetupFormToken {
  /** The token for the form, from the browser's cookie or a new one (then the cookie is set). */
  issue(req: Request, res: Response): string;
  /** Refuses a POST whose `_csrf` field is not the cookie's token. */
  require(): RequestHandler;
  clear(res: Response): void;
}

export function createSetupFormToken(options: { https: boolean }): SetupFormToken {
  const name = options.https ? '__Host-redshift-sso-setup' : 'redshift-sso-setup';
  const cookie = { httpOnly: true, secure: options.https, sameSite: 'strict' as const, path: '/' };
  const current = (req: Request) => {
    const value = readCookie(req, name);
    return value !== undefined && TOKEN.test(value) ? value : undefined;
  };
  return {
    issue(req, res) {
      const token = current(req) ?? randomBytes(24).toString('base64url');
      res.cookie(name, token, { ...cookie, maxAge: MAX_AGE_MS });
      return token;
    },
    require() {
      return (req, _res, next) => {
        next(formTokenRefusal(req, current(req)));
      };
    },
    clear(res) {
      res.clearCookie(name, cookie);
    },
  };
}
