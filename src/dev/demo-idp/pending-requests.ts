// The sign-in requests the demo IdP has shown a picker for, by a random single-use token. The form
// carries this token, never the AuthnRequest itself, so the user cannot change the ACS URL or
// InResponseTo between the two steps. Bounded in count and age; kept in memory only.
import { randomBytes } from 'node:crypto';
import { bad, type SignInRequest } from './authn-request.ts';

export interface PendingRequests {
  remember(request: SignInRequest): string;
  /** The request behind `token`, which is used up; refuses an unknown, used or expired token. */
  take(token: unknown): SignInRequest;
}

const PENDING_TTL_MS = 5 * 60_000;
const MAX_PENDING = 1000;

export function createPendingRequests(now: () => Date): PendingRequests {
  const pending = new Map<string, SignInRequest & { expiresAt: number }>();
  return {
    remember(request) {
      const at = now().getTime();
      for (const [token, entry] of pending)
        if (entry.expiresAt <= at || pending.size >= MAX_PENDING) pending.delete(token);
      const token = randomBytes(32).toString('base64url');
      pending.set(token, { ...request, expiresAt: at + PENDING_TTL_MS });
      return token;
    },
    take(token) {
      const entry = typeof token === 'string' ? pending.get(token) : undefined;
      if (typeof token === 'string') pending.delete(token);
      if (!entry || entry.expiresAt <= now().getTime())
        throw bad(
          'DEMO_IDP_UNKNOWN_REQUEST',
          'This sign-in request is unknown, used or expired; start again from the application.',
        );
      return entry;
    },
  };
}
