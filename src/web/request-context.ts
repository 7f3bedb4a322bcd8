// Who is asking, for the audit trail: client IP (through `trust proxy`), user agent, request ID;
// and the session it belongs to, which binds the sealed role sessions (never audited).
import type { Request, Response } from 'express';
import type { RequestContext } from '../credentials/audit-trail.ts';

export function requestContext(req: Request, res: Response): RequestContext {
  return { clientIp: req.ip, userAgent: req.get('user-agent'), requestId: typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined, sessionId: req.sessionID };
}
