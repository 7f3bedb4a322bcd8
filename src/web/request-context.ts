// Who is asking, for the audit trail: client IP (through `trust proxy`), user agent, request ID.
import type { Request, Response } from 'express';
import type { RequestContext } from '../credentials/audit-trail.ts';

export function requestContext(req: Request, res: Response): RequestContext {
  const cliTokenId = typeof res.locals.cliTokenId === 'string' ? res.locals.cliTokenId : undefined;
  return { clientIp: req.ip, userAgent: req.get('user-agent'), requestId: typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined, ...(cliTokenId === undefined ? {} : { cliTokenId }) };
}
