// CSRF protection for the browser forms: a per-session token (synchronizer pattern) in a hidden
// field, compared in constant time. JSON endpoints instead require application/json (a cross-site
// form cannot send it without a CORS preflight we never grant) and a same-origin Origin if sent.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Forbidden, AppError } from '../../errors.ts';

export function csrfToken(req: Request): string {
  if (typeof req.session.csrfToken !== 'string') req.session.csrfToken = randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}

export function requireCsrfToken(): RequestHandler {
  return (req, _res, next) => {
    next(formTokenRefusal(req, req.session.csrfToken));
  };
}

/** The refusal of a form whose `_csrf` field is not `expected`; undefined when it is. */
export function formTokenRefusal(req: Request, expected: string | undefined): Forbidden | undefined {
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (typeof sent === 'string' && typeof expected === 'string' && safeEqual(sent, expected)) return undefined;
  return new Forbidden({
    code: 'CSRF_TOKEN_INVALID',
    publicMessage: 'This form has expired or did not come from this site. Go back, reload the page and try again.',
  });
}

export function requireJsonSameOrigin(baseUrl: string): RequestHandler {
  const origin = new URL(baseUrl).origin;
  return (req, _res, next) => {
    if (!req.is('application/json')) {
      next(
        new AppError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          status: 415,
          publicMessage: 'Send the request body as application/json.',
        }),
      );
      return;
    }
    const sentOrigin = req.get('origin');
    if (sentOrigin !== undefined && sentOrigin !== origin) {
      next(new Forbidden({ code: 'CROSS_ORIGIN_REFUSED', publicMessage: 'Cross-origin requests are not accepted.' }));
      return;
    }
    next();
  };
}

/** Constant-time comparison of two tokens. */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
