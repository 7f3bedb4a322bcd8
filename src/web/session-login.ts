// Puts a signed-in user into the browser session with one write. Passport's req.login always
// regenerates (a DELETE of the old row, even one never stored) and saves, and express-session then
// saves the regenerated session a second time at the end of the response (it does not see that
// save). Here a session made in this request keeps its fresh ID and is saved once through
// express-session's own save (so it knows); a session the browser brought is regenerated as
// Passport would (a new ID: no fixation). The save completes before the redirect is sent, so the
// next request finds the session on any instance. The data is what Passport reads back.
import type { Request } from 'express';
import type { SessionUser } from './session-user.ts';
import { sessionWasLoaded } from './session-id.ts';
import { RecordsSessionStore } from './session-store.ts';

export async function logInSession(req: Request, user: SessionUser): Promise<void> {
  if (sessionWasLoaded(req)) await callback((done) => req.session.regenerate(done));
  // The store caps the cookie of loaded and regenerated sessions; a fresh one is capped here.
  else if (req.sessionStore instanceof RecordsSessionStore) req.sessionStore.capCookie(req.session);
  req.session.passport = { user };
  req.user = user;
  await callback((done) => req.session.save(done));
}

function callback(start: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    start((err) => {
      if (err === undefined || err === null) resolve();
      else reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
