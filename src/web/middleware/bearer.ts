// `Authorization: Bearer <token>` on the JSON API, for SQL clients: the token alone says who is
// asking (the cookie is ignored, and no CSRF token is needed: browsers never attach it on their
// own). Without the header, the browser session applies as before.
import type { RequestHandler } from 'express';
import { Unauthorized } from '../../errors.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import { requestContext } from '../request-context.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';

export type AuthenticateToken = (token: string, ctx: RequestContext) => Promise<{ user: SessionUser; tokenId: string }>;

export function bearerAuth(authenticate: AuthenticateToken): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      next();
      return;
    }
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(header);
    if (match?.[1] === undefined) {
      next(
        new Unauthorized({
          code: 'TOKEN_INVALID',
          publicMessage: 'Send the token as `Authorization: Bearer <token>`.',
        }),
      );
      return;
    }
    authenticate(match[1], requestContext(req, res)).then(({ user, tokenId }) => {
      req.user = user;
      res.locals.cliTokenId = tokenId;
      next();
    }, next);
  };
}
