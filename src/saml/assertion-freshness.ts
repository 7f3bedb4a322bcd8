// How fresh a verified response is. node-saml checks only the NotBefore/NotOnOrAfter windows, so a
// signed response issued two days ago with a long window would still sign someone in:
// - IssueInstant of the assertion (as verified) and of the Response: not older than the maximum
//   response age, not in the future, both beyond the clock skew; the Response's own value may be
//   unsigned, which is fine because it can only make us refuse;
// - every AuthnStatement: AuthnInstant not in the future (nor older than the optional maximum),
//   SessionNotOnOrAfter not past; the earliest SessionNotOnOrAfter is returned to bound sessions.
import { AssertionRejected } from '../errors.ts';
import { clockRefusal } from './clock-messages.ts';
import { children, parseTime, type ParsedNode } from './parsed-assertion.ts';

export interface FreshnessContext {
  now: Date;
  skewMs: number;
  maxResponseAgeMs: number;
  /** No limit when absent: the IdP's SSO session decides how long an authentication stays good. */
  maxAuthnAgeMs?: number;
  /** The Response element's IssueInstant, as sent. */
  responseIssueInstant?: string;
}

export interface FreshnessFacts {
  /** The earliest SessionNotOnOrAfter of the AuthnStatements, when the IdP sent one. */
  sessionNotOnOrAfter?: Date;
}

export function checkAssertionFreshness(
  parsed: Record<string, unknown> | undefined,
  ctx: FreshnessContext,
): FreshnessFacts {
  const assertion = (parsed?.Assertion ?? undefined) as ParsedNode | undefined;
  const now = ctx.now.getTime();
  checkIssued(requiredTime(ctx.responseIssueInstant, 'Response IssueInstant'), now, ctx);
  checkIssued(requiredTime(assertion?.$?.IssueInstant, 'assertion IssueInstant'), now, ctx);
  let sessionEnd: number | undefined;
  for (const statement of children(assertion, 'AuthnStatement')) {
    const authnInstant = optionalTime(statement.$?.AuthnInstant, 'AuthnInstant');
    if (authnInstant !== undefined) checkAuthenticated(authnInstant, now, ctx);
    const sessionNotOnOrAfter = optionalTime(statement.$?.SessionNotOnOrAfter, 'SessionNotOnOrAfter');
    if (sessionNotOnOrAfter === undefined) continue;
    if (now >= sessionNotOnOrAfter + ctx.skewMs) {
      throw new AssertionRejected({
        code: 'SAML_SESSION_EXPIRED',
        publicMessage:
          'Your session at the identity provider has already ended (SessionNotOnOrAfter is past). Sign in at the identity provider again.',
        details: { sessionNotOnOrAfter: new Date(sessionNotOnOrAfter).toISOString() },
      });
    }
    sessionEnd = Math.min(sessionEnd ?? sessionNotOnOrAfter, sessionNotOnOrAfter);
  }
  return sessionEnd === undefined ? {} : { sessionNotOnOrAfter: new Date(sessionEnd) };
}

function checkIssued(issuedAt: number, now: number, ctx: FreshnessContext): void {
  if (issuedAt > now + ctx.skewMs) {
    throw clockRefusal('early', { details: { issueInstant: new Date(issuedAt).toISOString() } });
  }
  if (now - issuedAt > ctx.maxResponseAgeMs + ctx.skewMs) {
    throw new AssertionRejected({
      code: 'SAML_RESPONSE_TOO_OLD',
      publicMessage: `The sign-in response was issued more than ${Math.round(ctx.maxResponseAgeMs / 1000)} seconds ago. Sign in again.`,
      details: { issueInstant: new Date(issuedAt).toISOString() },
    });
  }
}

function checkAuthenticated(authnInstant: number, now: number, ctx: FreshnessContext): void {
  if (authnInstant > now + ctx.skewMs) {
    throw clockRefusal('early', { details: { authnInstant: new Date(authnInstant).toISOString() } });
  }
  if (ctx.maxAuthnAgeMs !== undefined && now - authnInstant > ctx.maxAuthnAgeMs + ctx.skewMs) {
    throw new AssertionRejected({
      code: 'SAML_AUTHN_TOO_OLD',
      publicMessage:
        'You authenticated at the identity provider too long ago for this service. Sign out at the identity provider and sign in again.',
      details: { authnInstant: new Date(authnInstant).toISOString() },
    });
  }
}

function requiredTime(value: string | undefined, what: string): number {
  const time = optionalTime(value, what);
  if (time === undefined) throw unreadable(what);
  return time;
}

function optionalTime(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const time = parseTime(value);
  if (time === undefined) throw unreadable(what);
  return time;
}

function unreadable(what: string): AssertionRejected {
  return new AssertionRejected({
    code: 'SAML_MALFORMED',
    status: 400,
    publicMessage: `The response's ${what} is missing or cannot be read.`,
  });
}
