// Writes the audit trail: every sign-in and refused sign-in, every credential issued or refused,
// every sign-out. Fields are chosen here, so no caller can hand it a password, token or SAML
// response by accident.
import { isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AuditEvent, AuditLog } from '../store/ports.ts';
import type { SessionUser } from '../sign-in/session-user.ts';
import type { DbLogin } from '../credentials/issue-db-login.ts';

export interface RequestContext {
  clientIp?: string;
  userAgent?: string;
  requestId?: string;
  /** The CLI token the request came with (a bearer request), for the audit line. */
  cliTokenId?: string;
  /** The browser session the request belongs to; binds sealed role sessions. Never audited or logged. */
  sessionId?: string;
}

export interface AuditTrail {
  loginSucceeded(user: SessionUser, ctx: RequestContext): Promise<void>;
  loginRefused(idpId: string, err: unknown, ctx: RequestContext): Promise<void>;
  credentialsIssued(user: SessionUser, login: DbLogin, ctx: RequestContext): Promise<void>;
  credentialsRefused(
    user: SessionUser,
    roleArn: string,
    clusterId: string,
    err: unknown,
    ctx: RequestContext,
  ): Promise<void>;
  loggedOut(user: SessionUser, ctx: RequestContext): Promise<void>;
  /** A logout message from the IdP that was refused; `user` is the session it arrived with, if any. */
  logoutRefused(idpId: string, err: unknown, user: SessionUser | undefined, ctx: RequestContext): Promise<void>;
  /** A signed-in session refused: past its lifetime, or no longer allowed on an admin route. */
  sessionRefused(
    user: SessionUser,
    err: unknown,
    ctx: RequestContext & { method?: string; path?: string },
  ): Promise<void>;
}

/** The fields every event takes from the request. */
function requestFields(ctx: RequestContext, at: Date) {
  return {
    at,
    clientIp: ctx.clientIp,
    userAgent: ctx.userAgent?.slice(0, 300),
    requestId: ctx.requestId,
    ...(ctx.cliTokenId === undefined ? {} : { details: { cliTokenId: ctx.cliTokenId } }),
  };
}

function who(user: SessionUser) {
  return {
    idpId: user.identity.idpId,
    nameId: user.identity.nameId,
    dbUser: user.identity.dbUser,
  };
}

function refusal(err: unknown) {
  return {
    code: isAppError(err) ? err.code : 'INTERNAL_ERROR',
    outcome: (isAppError(err) && err.status < 500 ? 'refused' : 'error') as AuditEvent['outcome'],
  };
}

export function createAuditTrail(log: AuditLog, logger: Logger, now: () => Date): AuditTrail {
  const base = (ctx: RequestContext) => requestFields(ctx, now());
  const append = async (event: AuditEvent): Promise<void> => {
    await log.appendAudit(event);
  };
  // A refusal is already an error on its way to the person; losing its audit line must not
  // replace that error with another one, so those writes only log their own failure.
  const appendQuietly = (event: AuditEvent): Promise<void> =>
    append(event).catch((err: unknown) =>
      logger.error({ err: err instanceof Error ? err.message : String(err), kind: event.kind }, 'audit write failed'),
    );

  return {
    loginSucceeded: (user, ctx) =>
      append({
        ...base(ctx),
        ...who(user),
        kind: 'login',
        outcome: 'ok',
        details: {
          roles: user.grants.map((g) => ({ roleArn: g.roleArn, status: g.status, code: g.error?.code })),
          admin: user.admin,
        },
        awsRequestIds: user.grants.flatMap((g) => (g.awsRequestId === undefined ? [] : [g.awsRequestId])),
      }),
    loginRefused: (idpId, err, ctx) => appendQuietly({ ...base(ctx), ...refusal(err), kind: 'login_refused', idpId }),
    credentialsIssued: (user, login, ctx) =>
      append({
        ...base(ctx),
        ...who(user),
        kind: 'credentials_issued',
        outcome: 'ok',
        roleArn: login.roleArn,
        clusterId: login.clusterId,
        dbUser: login.dbUser,
        durationSeconds: login.durationSeconds,
        expiresAt: login.expiration,
        awsRequestIds: login.awsRequestIds,
      }),
    credentialsRefused: (user, roleArn, clusterId, err, ctx) =>
      appendQuietly({ ...base(ctx), ...who(user), ...refusal(err), kind: 'credentials_refused', roleArn, clusterId }),
    loggedOut: (user, ctx) => appendQuietly({ ...base(ctx), ...who(user), kind: 'logout', outcome: 'ok' }),
    logoutRefused: (idpId, err, user, ctx) =>
      appendQuietly({
        ...base(ctx),
        ...(user === undefined ? {} : who(user)),
        ...refusal(err),
        kind: 'logout_refused',
        idpId,
      }),
    sessionRefused: (user, err, ctx) =>
      appendQuietly({
        ...base(ctx),
        ...who(user),
        ...refusal(err),
        kind: 'session_refused',
        details: { method: ctx.method, path: ctx.path?.slice(0, 200), admin: user.admin, signedInAt: user.signedInAt },
      }),
  };
}
