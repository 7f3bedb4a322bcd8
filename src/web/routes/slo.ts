// Sign-out: the local session ends first, then Single Logout with the IdP when it has an SLO
// endpoint, in both directions (our LogoutRequest's response, or the IdP's own LogoutRequest).
import express, { Router, type Request } from 'express';
import { requireCsrfToken } from '../middleware/csrf.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import type { SsoRouteDeps } from './sso.ts';
import { acsBody, param } from './saml-forms.ts';

const smallForm = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

export function signOutRoutes(deps: SsoRouteDeps): Router {
  const router = Router();
  // Ends the local session first, then (when the IdP has an SLO endpoint) sends a LogoutRequest.
  // The IdP is reached from an interstitial page, not a redirect: CSP form-action 'self' would
  // stop a form POST that redirects to another origin.
  router.post(
    '/logout',
    smallForm,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const identity = req.user?.identity;
      if (req.user !== undefined) await deps.loggedOut(req.user, requestContext(req, res));
      await endLocalSession(req);
      const idpUrl =
        identity === undefined ? undefined : await deps.slo.logoutRedirectUrl(identity.idpId, identity, '/');
      if (idpUrl === undefined) {
        res.redirect(303, '/');
        return;
      }
      res.setHeader('Cache-Control', 'no-store');
      res.render('signed-out', {
        title: 'Signing out',
        user: undefined,
        continueUrl: idpUrl,
        idpName: deps.sp.idp(identity?.idpId ?? '').name,
      });
    }),
  );

  // Single Logout endpoint: the IdP's LogoutResponse to ours, or its own LogoutRequest.
  const slo = asyncHandler(async (req, res) => {
    const idpId = param(req, 'idp');
    const binding = req.method === 'GET' ? 'redirect' : 'post';
    const fields = (binding === 'redirect' ? req.query : (req.body ?? {})) as Record<string, unknown>;
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const outcome = await deps.slo
      .validateLogoutMessage(idpId, { binding, fields, rawQuery })
      .catch(async (err: unknown) => {
        await deps.logoutRefused(idpId, err, req.user, requestContext(req, res));
        throw err;
      });
    if (outcome.kind === 'response') {
      res.render('signed-out', {
        title: 'Signed out',
        user: undefined,
        continueUrl: undefined,
        idpName: deps.sp.idp(idpId).name,
      });
      return;
    }
    const identity = req.user?.identity;
    // A cross-site POST carries no SameSite=Lax cookie: without a session we cannot tell whether
    // one exists, so only the Redirect binding (a top-level GET, cookie sent) may answer Success.
    const sameUser =
      identity === undefined ? binding === 'redirect' : identity.idpId === idpId && identity.nameId === outcome.nameId;
    if (req.user !== undefined && sameUser) {
      await deps.loggedOut(req.user, requestContext(req, res));
      await endLocalSession(req);
    }
    const relayState = typeof fields.RelayState === 'string' ? fields.RelayState : '';
    res.redirect(302, await deps.slo.logoutResponseRedirectUrl(idpId, outcome.request, relayState, sameUser));
  });
  router.get('/saml/slo/:idp', slo);
  router.post('/saml/slo/:idp', acsBody, slo);

  return router;
}

/** Logs out (Passport regenerates the session) and removes the new, empty session as well. */
function endLocalSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.logout((err) => {
      if (err !== undefined && err !== null) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      req.session.destroy(() => resolve());
    });
  });
}
