// Remembers which IdP this browser last signed in through, so the sign-in pages put it first.
// Only the IdP's ID is kept, in a cookie of its own: not a secret, and never trusted beyond
// ordering a list the server already has (an ID that is not in that list is ignored).
import type { Request, Response } from 'express';
import { readCookie } from './read-cookie.ts';

// Chrome caps a cookie's lifetime at 400 days; asking for more gains nothing.
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;
const ID = /^[A-Za-z0-9_.-]{1,100}$/;

export interface LastIdp {
  remember(res: Response, idpId: string): void;
  /** The list with the remembered IdP first and marked; unchanged when none is remembered or it is gone. */
  order<T extends { id: string }>(req: Request, idps: readonly T[]): Array<T & { lastUsed: boolean }>;
}

export function createLastIdp(options: { https: boolean }): LastIdp {
  // __Host- binds the cookie to this origin; browsers accept that prefix only with Secure.
  const name = options.https ? '__Host-redshift-sso-idp' : 'redshift-sso-idp';
  return {
    remember(res, idpId) {
      if (!ID.test(idpId)) return;
      res.cookie(name, idpId, {
        httpOnly: true,
        secure: options.https,
        sameSite: 'lax',
        path: '/',
        maxAge: MAX_AGE_MS,
      });
    },
    order(req, idps) {
      const last = readCookie(req, name);
      const marked = idps.map((idp) => ({ ...idp, lastUsed: idp.id === last }));
      return [...marked.filter((i) => i.lastUsed), ...marked.filter((i) => !i.lastUsed)];
    },
  };
}
