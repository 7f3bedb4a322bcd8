// Ends the signed-in user's session from inside a request (Passport regenerates it, so the old
// session ID is gone), keeping the browser's form token so a form it already shows still posts.
import type { Request } from 'express';

export function signOut(req: Request): Promise<void> {
  const formToken = req.session.csrfToken;
  return new Promise((resolve, reject) => {
    req.logout((err) => {
      if (err !== undefined && err !== null) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (formToken !== undefined) req.session.csrfToken = formToken;
      // Passport leaves null here; the rest of the request treats "no user" as undefined.
      req.user = undefined;
      resolve();
    });
  });
}
