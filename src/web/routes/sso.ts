// SAML routes: sign-in (SP-initiated, HTTP-Redirect), the assertion consumer service, SP metadata
// and sign-out. Handlers parse input, call one use case, then redirect or render.
import express, { Router, type Request } from 'express';
import type { ServiceProvider } from '../../saml/service-provider.ts';
import type { SingleLogout } from '../../saml/single-logout.ts';
import type { SessionUser } from '../../credentials/sign-in.ts';
import { requireCsrfToken } from '../middleware/csrf.ts';
import { safeReturnPath } from '../safe-return-path.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import { signInSessionId } from '../session-id.ts';
import { logInSession } from '../session-login.ts';
import type { LoginBinding } from '../login-binding.ts';
import type { LastIdp } from '../last-idp.ts';
import type { RequestContext } from '../../credentials/audit-trail.ts';
import { authenticateAcs, type AppPassport } from '../../saml/acs-strategy.ts';
import type { ValidatedLogin } from '../../saml/service-provider.ts';

export interface SsoRouteDeps {
  sp: ServiceProvider;
  slo: SingleLogout;
  /** The app's Passport, holding one SAML strategy per IdP connection (see saml/service-provider.ts). */
  passport: AppPassport;
  signIn: (idpId: string, ctx: RequestContext, validate: () => Promise<ValidatedLogin>) => Promise<SessionUser>;
  binding: LoginBinding;
  /** The IdP this browser last chose, listed first on the chooser. */
  lastIdp: LastIdp;
  loggedOut: (user: SessionUser, ctx: RequestContext) => Promise<void>;
  logoutRefused: (idpId: string, err: unknown, user: SessionUser | undefined, ctx: RequestContext) => Promise<void>;
}

// The ACS alone takes large bodies: a SAMLResponse may be up to 100,000 characters (AWS's limit);
// the body limit leaves room for RelayState so the size check can name the real problem.
const acsBody = express.urlencoded({ extended: false, limit: '150kb', parameterLimit: 10 });
const smallForm = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

export function ssoRoutes(deps: SsoRouteDeps): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    const idps = deps.sp.listIdps();
    const returnTo = safeReturnPath(req.query.returnTo);
    if (idps.length === 1 && idps[0] !== undefined) {
      res.redirect(302, `/login/${encodeURIComponent(idps[0].id)}${returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
      return;
    }
    res.render('login', { title: 'Sign in', idps: deps.lastIdp.order(req, idps.map((i) => ({ id: i.id, name: i.name }))), returnTo });
  });

  router.get('/login/:idp', asyncHandler(async (req, res) => {
    const { url, requestId } = await deps.sp.loginRedirect(param(req, 'idp'), safeReturnPath(req.query.returnTo));
    deps.binding.remember(req, res, requestId);
    // Only after loginRedirect accepted the ID: an unknown IdP was refused above.
    deps.lastIdp.remember(res, param(req, 'idp'));
    res.redirect(302, url);
  }));

  // The connection's passport-saml strategy validates the response (with our checks before it
  // and in its verify step); the custom callback hands the outcome to the sign-in use case, so
  // refusals keep our error pages and JSON codes.
  router.post('/saml/acs/:idp', acsBody, asyncHandler(async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const idpId = param(req, 'idp');
    const isBoundRequest = deps.binding.enforced ? (requestId: string) => deps.binding.holds(req, requestId) : undefined;
    // The role sessions are sealed for the session ID the browser will hold once signed in.
    const ctx = { ...requestContext(req, res), sessionId: signInSessionId(req) };
    const user = await deps.signIn(idpId, ctx, () => authenticateAcs(deps.passport, deps.sp.strategyName(idpId), req, res, { isBoundRequest }));
    await logInSession(req, user);
    res.redirect(303, safeReturnPath(body.RelayState));
  }));

  // The default SP entity ID is this URL; with one IdP it resolves to that connection's metadata.
  router.get('/saml/metadata', (_req, res) => {
    const idps = deps.sp.listIdps();
    if (idps.length === 1 && idps[0] !== undefined) res.redirect(302, `/saml/metadata/${encodeURIComponent(idps[0].id)}`);
    else res.type('text/plain').send(`SP metadata is per IdP connection: ${idps.map((i) => `/saml/metadata/${i.id}`).join(', ')}\n`);
  });

  router.get('/saml/metadata/:idp', (req, res) => {
    res.type('application/samlmetadata+xml').send(deps.sp.metadataXml(param(req, 'idp')));
  });

  // Ends the local session first, then (when the IdP has an SLO endpoint) sends a LogoutRequest.
  // The IdP is reached from an interstitial page, not a redirect: CSP form-action 'self' would
  // stop a form POST that redirects to another origin.
  router.post('/logout', smallForm, requireCsrfToken(), asyncHandler(async (req, res) => {
    const identity = req.user?.identity;
    if (req.user !== undefined) await deps.loggedOut(req.user, requestContext(req, res));
    await endLocalSession(req);
    const idpUrl = identity === undefined ? undefined : await deps.slo.logoutRedirectUrl(identity.idpId, identity, '/');
    if (idpUrl === undefined) {
      res.redirect(303, '/');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.render('signed-out', { title: 'Signing out', user: undefined, continueUrl: idpUrl, idpName: deps.sp.idp(identity?.idpId ?? '').name });
  }));

  // Single Logout endpoint: the IdP's LogoutResponse to ours, or its own LogoutRequest.
  const slo = asyncHandler(async (req, res) => {
    const idpId = param(req, 'idp');
    const binding = req.method === 'GET' ? 'redirect' : 'post';
    const fields = (binding === 'redirect' ? req.query : req.body ?? {}) as Record<string, unknown>;
    const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const outcome = await deps.slo.validateLogoutMessage(idpId, { binding, fields, rawQuery }).catch(async (err: unknown) => {
      await deps.logoutRefused(idpId, err, req.user, requestContext(req, res));
      throw err;
    });
    if (outcome.kind === 'response') {
      res.render('signed-out', { title: 'Signed out', user: undefined, continueUrl: undefined, idpName: deps.sp.idp(idpId).name });
      return;
    }
    const identity = req.user?.identity;
    // A cross-site POST carries no SameSite=Lax cookie: without a session we cannot tell whether
    // one exists, so only the Redirect binding (a top-level GET, cookie sent) may answer Success.
    const sameUser = identity === undefined ? binding === 'redirect' : identity.idpId === idpId && identity.nameId === outcome.nameId;
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

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}
