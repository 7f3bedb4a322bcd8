// Tokens for SQL clients (the redshift-sso CLI): opaque, 256 random bits, only a SHA-256 hash
// stored; each stands for one sign-in's role sessions (sealed, as in the browser session) and
// ends with the last of them. Checked on every use: unknown, revoked, expired, IdP disabled.
import { createHash, randomBytes } from 'node:crypto';
import { NotFound, Unauthorized } from '../errors.ts';
import type { CliTokenRecord, CliTokenRecords } from '../store/ports.ts';
import type { RequestContext } from '../audit/audit-trail.ts';
import type { CliAudit, CliGrantKind } from '../audit/cli-audit.ts';
import { whoOf } from '../audit/cli-audit.ts';
import { cliRefusal } from './cli-errors.ts';
import type { RoleSessionVault } from '../credentials/role-session-vault.ts';
import type { SessionUser } from '../sign-in/session-user.ts';

/** A prefix secret scanners can match; the rest is 32 random bytes. */
const TOKEN_PREFIX = 'rsso_';

export interface CliTokenDeps {
  store: CliTokenRecords;
  vault: RoleSessionVault;
  idpEnabled: (idpId: string) => boolean;
  audit: CliAudit;
  now: () => Date;
}

export interface IssuedCliToken {
  token: string;
  tokenId: string;
  expiresAt: Date;
}

export interface CliTokenView {
  id: string;
  client: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt?: Date;
}

/** What a token's role sessions are sealed for, in place of a browser session's ID. */
export function cliTokenSealId(tokenId: string): string {
  return `cli-token:${tokenId}`;
}

export function hashCliSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The end of the latest ready role session; undefined when none is left. */
export function roleSessionsEnd(user: SessionUser, now: Date): Date | undefined {
  const ends = user.grants
    .filter((g) => g.status === 'ready' && g.expiresAt !== undefined)
    .map((g) => Date.parse(g.expiresAt ?? ''));
  const last = Math.max(...ends.filter(Number.isFinite));
  return Number.isFinite(last) && last > now.getTime() ? new Date(last) : undefined;
}

export class CliTokens {
  constructor(private readonly deps: CliTokenDeps) {}

  /** `fromSessionId`: the browser session that approved, which the user's role sessions are sealed for. */
  async mint(
    user: SessionUser,
    fromSessionId: string,
    grant: CliGrantKind,
    client: string,
    ctx: RequestContext,
  ): Promise<IssuedCliToken> {
    const expiresAt = roleSessionsEnd(user, this.deps.now());
    if (expiresAt === undefined) {
      const err = cliRefusal(
        'AWS_SESSION_EXPIRED',
        'invalid_grant',
        'Your AWS role sessions have ended. Sign out and in again in the browser, then run the sign-in again.',
        401,
      );
      await this.deps.audit.refused(err, whoOf(user), { grant, client }, ctx);
      throw err;
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const tokenId = randomBytes(12).toString('base64url');
    await this.deps.store.saveCliToken({
      id: tokenId,
      tokenHash: hashCliSecret(token),
      idpId: user.identity.idpId,
      nameId: user.identity.nameId,
      client,
      user: JSON.stringify(this.resealed(user, fromSessionId, tokenId)),
      createdAt: this.deps.now(),
      expiresAt,
    });
    await this.deps.audit.tokenIssued(user, { tokenId, grant, client, expiresAt }, ctx);
    return { token, tokenId, expiresAt };
  }

  /** The person and role sessions a bearer token stands for, or a refusal (audited) with its code. */
  async authenticate(token: string, ctx: RequestContext): Promise<{ user: SessionUser; tokenId: string }> {
    const record = token.startsWith(TOKEN_PREFIX) ? await this.deps.store.findCliToken(hashCliSecret(token)) : null;
    const refusal = this.refusalFor(record);
    if (refusal !== undefined) {
      await this.deps.audit.refused(
        refusal,
        record === null ? undefined : { idpId: record.idpId, nameId: record.nameId },
        { tokenId: record?.id },
        ctx,
      );
      throw refusal;
    }
    const live = record as CliTokenRecord;
    await this.deps.store.touchCliToken(live.id, this.deps.now());
    return { user: JSON.parse(live.user) as SessionUser, tokenId: live.id };
  }

  /** `redshift-sso logout`: the token revokes itself. Unknown tokens are fine (RFC 7009 §2.2). */
  async revokeToken(token: string, ctx: RequestContext): Promise<void> {
    const record = await this.deps.store.findCliToken(hashCliSecret(token));
    if (record === null || record.revokedAt !== undefined) return;
    if (await this.deps.store.revokeCliToken(record.id, this.deps.now())) {
      await this.deps.audit.revoked(
        { idpId: record.idpId, nameId: record.nameId },
        { tokenId: record.id, by: 'cli' },
        ctx,
      );
    }
  }

  /** The "Signed-in tools" page: only the owner may revoke, anyone else is told it does not exist. */
  async revokeById(user: SessionUser, tokenId: string, ctx: RequestContext): Promise<void> {
    const record = await this.deps.store.getCliTokenById(tokenId);
    const owned = record !== null && record.idpId === user.identity.idpId && record.nameId === user.identity.nameId;
    if (!owned || !(await this.deps.store.revokeCliToken(tokenId, this.deps.now()))) {
      const err = new NotFound({
        code: 'CLI_TOKEN_NOT_FOUND',
        publicMessage: 'You have no signed-in tool with that ID (it may be revoked or expired already).',
      });
      await this.deps.audit.refused(err, whoOf(user), { tokenId }, ctx);
      throw err;
    }
    await this.deps.audit.revoked(whoOf(user), { tokenId, by: 'web' }, ctx);
  }

  async list(user: SessionUser): Promise<CliTokenView[]> {
    const records = await this.deps.store.listCliTokens(user.identity.idpId, user.identity.nameId, this.deps.now());
    return records.map((r) => ({
      id: r.id,
      client: r.client,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      ...(r.lastUsedAt === undefined ? {} : { lastUsedAt: r.lastUsedAt }),
    }));
  }

  private refusalFor(record: CliTokenRecord | null): Unauthorized | undefined {
    const next = 'Run `redshift-sso login` to sign in again.';
    if (record === null)
      return new Unauthorized({ code: 'TOKEN_INVALID', publicMessage: `This token is not known here. ${next}` });
    if (record.revokedAt !== undefined)
      return new Unauthorized({ code: 'TOKEN_REVOKED', publicMessage: `This token was revoked. ${next}` });
    if (record.expiresAt.getTime() <= this.deps.now().getTime()) {
      return new Unauthorized({
        code: 'TOKEN_EXPIRED',
        publicMessage: `This token ended with the AWS role sessions it stood for. ${next}`,
      });
    }
    if (!this.deps.idpEnabled(record.idpId)) {
      return new Unauthorized({
        code: 'IDP_DISABLED',
        publicMessage: 'The identity provider you signed in with is no longer enabled here. Sign in again.',
      });
    }
    return undefined;
  }

  // The token's own copy of the role sessions, opened with the approving browser session's binding
  // and sealed afresh for the token: a box copied out of the token row opens nowhere else.
  private resealed(user: SessionUser, fromSessionId: string, tokenId: string): SessionUser {
    const person = { idpId: user.identity.idpId, nameId: user.identity.nameId };
    const grants = user.grants.map((g) => {
      if (g.sealed === undefined) return g;
      const session = this.deps.vault.open(g.sealed, { ...person, sessionId: fromSessionId });
      const { sealed: _dropped, ...rest } = g;
      return session === undefined
        ? rest
        : { ...rest, sealed: this.deps.vault.seal(session, { ...person, sessionId: cliTokenSealId(tokenId) }) };
    });
    return { ...user, grants };
  }
}
