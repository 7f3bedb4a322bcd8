// The CLI's lines in the audit trail: approvals and denials in the browser, tokens issued and
// revoked, and every refusal with its code. Like audit-trail.ts, the fields are chosen here, so
// no token, code, verifier or role session can reach the log by accident.
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AuditEvent, AuditLog } from '../store/ports.ts';
import type { RequestContext } from './audit-trail.ts';
import type { SessionUser } from '../sign-in/session-user.ts';

/** Who a CLI event is about, when known (a refusal of an unknown token has nobody). */
export interface CliWho {
  idpId: string;
  nameId: string;
  dbUser?: string;
}

export type CliGrantKind = 'code' | 'device';

export interface CliAudit {
  authorized(
    user: SessionUser,
    grant: CliGrantKind,
    client: string,
    approved: boolean,
    ctx: RequestContext,
  ): Promise<void>;
  tokenIssued(
    user: SessionUser,
    details: { tokenId: string; grant: CliGrantKind; client: string; expiresAt: Date },
    ctx: RequestContext,
  ): Promise<void>;
  refused(err: unknown, who: CliWho | undefined, details: Record<string, unknown>, ctx: RequestContext): Promise<void>;
  revoked(who: CliWho, details: { tokenId: string; by: 'cli' | 'web' }, ctx: RequestContext): Promise<void>;
}

export function whoOf(user: SessionUser): CliWho {
  return { idpId: user.identity.idpId, nameId: user.identity.nameId, dbUser: user.identity.dbUser };
}

export function createCliAudit(log: AuditLog, logger: Logger, now: () => Date): CliAudit {
  const base = (ctx: RequestContext) => ({
    at: now(),
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent?.slice(0, 300),
    requestId: ctx.requestId,
  });
  // A refusal is already on its way to the client as an error; a failed audit write must not replace it.
  const quietly = (event: AuditEvent): Promise<void> =>
    log
      .appendAudit(event)
      .catch((err: unknown) =>
        logger.error({ err: err instanceof Error ? err.message : String(err), kind: event.kind }, 'audit write failed'),
      );
  return {
    authorized: (user, grant, client, approved, ctx) =>
      log.appendAudit({
        ...base(ctx),
        ...whoOf(user),
        kind: 'cli_authorized',
        outcome: approved ? 'ok' : 'refused',
        ...(approved ? {} : { code: 'CLI_DENIED_BY_USER' }),
        details: { grant, client },
      }),
    tokenIssued: (user, details, ctx) =>
      log.appendAudit({
        ...base(ctx),
        ...whoOf(user),
        kind: 'cli_token_issued',
        outcome: 'ok',
        expiresAt: details.expiresAt,
        details: { tokenId: details.tokenId, grant: details.grant, client: details.client },
      }),
    refused: (err, who, details, ctx) =>
      quietly({
        ...base(ctx),
        ...who,
        kind: 'cli_refused',
        outcome: isAppError(err) && err.status < 500 ? 'refused' : 'error',
        code: isAppError(err) ? err.code : 'INTERNAL_ERROR',
        details,
      }),
    revoked: (who, details, ctx) =>
      log.appendAudit({ ...base(ctx), ...who, kind: 'cli_token_revoked', outcome: 'ok', details }),
  };
}
