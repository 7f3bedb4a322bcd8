// Session IDs, including the one a sign-in is about to get. A session the browser brought (loaded
// from the store) is regenerated at sign-in, so a planted ID is never signed in; the role sessions
// sealed during that sign-in are bound to the ID the browser ends up with: the ACS reserves that
// ID before it seals, and express-session takes the reservation when the session is regenerated.
// A session express-session made in this request (the usual case: the IdP's cross-site POST
// carries no SameSite=Lax cookie) already has a fresh ID of ours and keeps it.
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';

const reserved = new WeakMap<Request, string>();
const loaded = new WeakSet<Request>();

/** Told by the session store when this request's session came from the store. */
export function markSessionLoaded(req: Request): void {
  loaded.add(req);
}

/** Whether this request's session was loaded from the store (rather than made in this request). */
export function sessionWasLoaded(req: Request): boolean {
  return loaded.has(req);
}

/** The ID this request's session will have once signed in (see session-login.ts). */
export function signInSessionId(req: Request): string {
  return sessionWasLoaded(req) ? reserveSessionId(req) : req.sessionID;
}

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
