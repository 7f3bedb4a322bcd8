// The CLI's browser sign-in (authorization code + PKCE, RFC 7636 / RFC 8252): after the person
// approves in the browser, a one-time code bound to the PKCE challenge, the exact loopback
// redirect URI and the CLI's `state`; the CLI redeems it once, within codeTtlSeconds, for a token.
import { randomBytes } from 'node:crypto';
import type { CliGrantRecords } from '../store/ports.ts';
import type { RequestContext } from '../audit/audit-trail.ts';
import type { CliAudit } from '../audit/cli-audit.ts';
import { cliRefusal } from './cli-errors.ts';
import { hashCliSecret, type CliTokens, type IssuedCliToken } from './cli-tokens.ts';
import { pkceVerifierMatches } from './pkce.ts';
import type { SessionUser } from '../sign-in/session-user.ts';

/** Kept after the deadline so an expired code is refused as expired, not as unknown. */
export const GRACE_MS = 10 * 60_000;

export interface CodeGrantDeps {
  grants: CliGrantRecords;
  tokens: CliTokens;
  audit: CliAudit;
  now: () => Date;
  codeTtlSeconds: number;
}

export interface AuthorizeRequest {
  redirectUri: string;
  codeChallenge: string;
  state: string;
  client: string;
}

interface StoredCode extends AuthorizeRequest {
  user: SessionUser;
  /** The browser session that approved: the user's sealed role sessions open only with it. */
  sessionId: string;
  expiresAt: string;
}

export interface RedeemRequest {
  code: unknown;
  codeVerifier: unknown;
  redirectUri: unknown;
  state: unknown;
}

export class CodeGrant {
  constructor(private readonly deps: CodeGrantDeps) {}

  /** The person approved: a one-time code for the loopback redirect. */
  async approve(user: SessionUser, request: AuthorizeRequest, ctx: RequestContext): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.deps.now().getTime() + this.deps.codeTtlSeconds * 1000);
    const stored: StoredCode = { ...request, user, sessionId: ctx.sessionId ?? '', expiresAt: expiresAt.toISOString() };
    await this.deps.grants.putCliGrant(
      `code:${hashCliSecret(code)}`,
      JSON.stringify(stored),
      new Date(expiresAt.getTime() + GRACE_MS),
    );
    await this.deps.audit.authorized(user, 'code', request.client, true, ctx);
    return code;
  }

  async deny(user: SessionUser, request: AuthorizeRequest, ctx: RequestContext): Promise<void> {
    await this.deps.audit.authorized(user, 'code', request.client, false, ctx);
  }

  /** Takes the code first, so a wrong verifier also burns it (RFC 6749 §10.5: one try per code). */
  async redeem(request: RedeemRequest, ctx: RequestContext): Promise<IssuedCliToken> {
    const raw =
      typeof request.code === 'string' && request.code.length <= 200
        ? await this.deps.grants.takeCliGrant(`code:${hashCliSecret(request.code)}`)
        : null;
    const stored = raw === null ? undefined : (JSON.parse(raw) as StoredCode);
    const refusal = this.refusalFor(stored, request);
    if (refusal !== undefined) {
      const who =
        stored === undefined
          ? undefined
          : {
              idpId: stored.user.identity.idpId,
              nameId: stored.user.identity.nameId,
              dbUser: stored.user.identity.dbUser,
            };
      await this.deps.audit.refused(refusal, who, { grant: 'code', client: stored?.client }, ctx);
      throw refusal;
    }
    const valid = stored as StoredCode;
    return this.deps.tokens.mint(valid.user, valid.sessionId, 'code', valid.client, ctx);
  }

  private refusalFor(stored: StoredCode | undefined, request: RedeemRequest) {
    const again = 'Run `redshift-sso login` again.';
    if (stored === undefined)
      return cliRefusal(
        'CLI_CODE_INVALID',
        'invalid_grant',
        `This sign-in code is unknown or was used already. ${again}`,
      );
    if (Date.parse(stored.expiresAt) <= this.deps.now().getTime())
      return cliRefusal('CLI_CODE_EXPIRED', 'invalid_grant', `This sign-in code has expired. ${again}`);
    if (request.redirectUri !== stored.redirectUri)
      return cliRefusal(
        'CLI_REDIRECT_URI_MISMATCH',
        'invalid_grant',
        `The redirect URI is not the one the code was issued for. ${again}`,
      );
    if (request.state !== stored.state)
      return cliRefusal(
        'CLI_STATE_MISMATCH',
        'invalid_grant',
        `The state does not match the sign-in this code belongs to. ${again}`,
      );
    if (!pkceVerifierMatches(request.codeVerifier, stored.codeChallenge))
      return cliRefusal('PKCE_VERIFIER_MISMATCH', 'invalid_grant', `The PKCE code verifier does not match. ${again}`);
    return undefined;
  }
}
