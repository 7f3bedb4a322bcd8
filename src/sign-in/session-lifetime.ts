// How long a signed-in session lives: from sign-in, at most the configured lifetime, and never past
// the IdP's SessionNotOnOrAfter. Using a session never extends it; a lowered lifetime applies to
// sessions already signed in, and a session whose start cannot be read counts as ended.
import { Unauthorized, type AppError } from '../errors.ts';

/** What a session records about its own end (SessionUser's fields). */
export interface SessionTimes {
  signedInAt: string;
  /** Absent in sessions signed in before absolute lifetimes existed. */
  sessionExpiresAt?: string;
}

/** The end of a session signed in `now`. */
export function newSessionEnd(now: Date, maxLifetimeSeconds: number, sessionNotOnOrAfter?: Date): Date {
  const byLifetime = now.getTime() + maxLifetimeSeconds * 1000;
  const byIdp = sessionNotOnOrAfter?.getTime() ?? Number.POSITIVE_INFINITY;
  return new Date(Math.min(byLifetime, byIdp));
}

/** When the session must end, under the lifetime configured now. */
export function sessionEndsAt(times: SessionTimes, maxLifetimeSeconds: number): Date {
  const start = Date.parse(times.signedInAt);
  if (!Number.isFinite(start)) return new Date(0);
  const own = times.sessionExpiresAt === undefined ? Number.NaN : Date.parse(times.sessionExpiresAt);
  const byLifetime = start + maxLifetimeSeconds * 1000;
  return new Date(Number.isFinite(own) ? Math.min(own, byLifetime) : byLifetime);
}

export function sessionExpiredError(): AppError {
  return new Unauthorized({
    code: 'SESSION_EXPIRED',
    publicMessage: 'Your session has ended: sessions last a fixed time from sign-in. Sign in again.',
  });
}
