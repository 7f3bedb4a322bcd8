// Session IDs, including the one a sign-in is about to get. Passport regenerates the session at
// sign-in (so a planted ID is never signed in), and the role sessions sealed during that sign-in
// are bound to the ID the browser ends up with: the ACS reserves that ID before it seals, and
// express-session takes the reservation when Passport regenerates.
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';

const reserved = new WeakMap<Request, string>();

/** The ID the next regeneration of this request's session will give it. */
export function reserveSessionId(req: Request): string {
  const id = newSessionId();
  reserved.set(req, id);
  return id;
}

/** express-session's `genid`: the reserved ID once, otherwise a fresh one. */
export function generateSessionId(req: Request): string {
  const id = reserved.get(req);
  if (id === undefined) return newSessionId();
  reserved.delete(req);
  return id;
}

// 24 random bytes, as express-session's own generator (uid-safe) makes them.
function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}
