// Binds an SP-initiated sign-in to the browser that started it (login CSRF): GET /login/:idp
// leaves an HMAC of the AuthnRequest ID in a cookie, and the ACS accepts a response to that
// request only from a browser holding it. Without this, an attacker could start a sign-in,
// capture the IdP's response for their own account and post it from the victim's browser.
// The IdP's POST to the ACS is cross-site, so the cookie must be SameSite=None, which browsers
// accept only with Secure: the binding is enforced on HTTPS deployments.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { readCookie } from './read-cookie.ts';

const COOKIE = '__Host-redshift-sso-login';
const MAX_PENDING = 5; // sign-ins started in other tabs stay valid

export interface LoginBinding {
  enforced: boolean;
  remember(req: Request, res: Response, requestId: string): void;
  /** True when the request carries the binding for this AuthnRequest ID. */
  holds(req: Request, requestId: string): boolean;
}

export function createLoginBinding(options: { https: boolean; secret: string; ttlSeconds: number }): LoginBinding {
  const key = Buffer.from(hkdfSync('sha256', options.secret, 'redshift-sso', 'login-binding v1', 32));
  const mac = (requestId: string) => createHmac('sha256', key).update(requestId).digest('base64url').slice(0, 32);
  const pending = (req: Request): string[] =>
    (readCookie(req, COOKIE) ?? '').split('.').filter((v) => /^[A-Za-z0-9_-]{32}$/.test(v));
  return {
    enforced: options.https,
    remember(req, res, requestId) {
      if (!options.https) return;
      const values = [...pending(req).slice(-(MAX_PENDING - 1)), mac(requestId)];
      res.cookie(COOKIE, values.join('.'), {
        httpOnly: true,
        secure: true,
        sameSite: 'none',
        path: '/',
        maxAge: options.ttlSeconds * 1000,
      });
    },
    holds(req, requestId) {
      const expected = Buffer.from(mac(requestId));
      return pending(req).some((value) => {
        const given = Buffer.from(value);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}
