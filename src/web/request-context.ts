// Who is asking, for the audit trail: client IP (through `trust proxy`), user agent, request ID;
// and the session it belongs to, which binds the sealed role sessions (never audited).
import type { Request, Response } from 'express';
import type { RequestContext } from '../audit/audit-trail.ts';
import { cliTokenSealId } from '../cli-auth/cli-tokens.ts';

export function requestContext(req: Request, res: Response): RequestContext {
  const cliTokenId = typeof res.locals.cliTokenId === 'string' ? res.locals.cliTokenId : undefined;
  const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
  // A bearer request has no browser session: its role sessions are sealed for the token instead.
  const sessionId = cliTokenId === undefined ? req.sessionID : cliTokenSealId(cliTokenId);
  return {
    clientIp: req.ip,
    userAgent: req.get('user-agent'),
    requestId,
    sessionId,
    ...(cliTokenId === undefined ? {} : { cliTokenId }),
  };
}
