// Keeps secrets and personal data out of browser and proxy caches: every answer under /admin
// (console pages, audit exports, the setup form) and /api, and every answer to a signed-in
// session (choosers, the credentials page), is `Cache-Control: no-store`. Set up front, so a
// route cannot forget it; error pages get it from the error handler.
import type { RequestHandler } from 'express';

const ALWAYS = /^\/(admin|api|credentials)(\/|\.|$)/i;

export function noStore(): RequestHandler {
  return (req, res, next) => {
    if (req.user !== undefined || ALWAYS.test(req.path)) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
