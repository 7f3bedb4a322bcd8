// SAML routes: sign-in (SP-initiated, HTTP-Redirect), the assertion consumer service, SP metadata
// and sign-out (slo.ts). Handlers parse input, call one use case, then redirect or render.
import { Router } from 'express';
import type { ServiceProvider } from '../../saml/service-provider.ts';
import type { SingleLogout } from '../../saml/single-logout.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import { safeReturnPath } from '../safe-return-path.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import { signInSessionId } from '../session-id.ts';
import { logInSession } from '../session-login.ts';
import { signOutRoutes } from './slo.ts';
import { acsBody, param } from './saml-forms.ts';
import type { LoginBinding } from '../login-binding.ts';
import type { LastIdp } from '../last-idp.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';
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

export function ssoRoutes(deps: SsoRouteDeps): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    const idps = deps.sp.listIdps();
    const returnTo = safeReturnPath(req.query.returnTo);
    if (idps.length === 1 && idps[0] !== undefined) {
      res.redirect(
        302,
        `/login/${encodeURIComponent(idps[0].id)}${returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
      );
      return;
    }
    res.render('login', {
      title: 'Sign in',
      idps: deps.lastIdp.order(
        req,
        idps.map((i) => ({ id: i.id, name: i.name })),
      ),
      returnTo,
    });
  });

  router.get(
    '/login/:idp',
    asyncHandler(async (req, res) => {
      const { url, requestId } = await deps.sp.loginRedirect(param(req, 'idp'), safeReturnPath(req.query.returnTo));
      deps.binding.remember(req, res, requestId);
      // Only after loginRedirect accepted the ID: an unknown IdP was refused above.
      deps.lastIdp.remember(res, param(req, 'idp'));
      res.redirect(302, url);
    }),
  );

  // The connection's passport-saml strategy validates the response (with our checks before it
  // and in its verify step); the custom callback hands the outcome to the sign-in use case, so
  // refusals keep our error pages and JSON codes.
  router.post(
    '/saml/acs/:idp',
    acsBody,
    asyncHandler(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const idpId = param(req, 'idp');
      const isBoundRequest = deps.binding.enforced
        ? (requestId: string) => deps.binding.holds(req, requestId)
        : undefined;
      // The role sessions are sealed for the session ID the browser will hold once signed in.
      const ctx = { ...requestContext(req, res), sessionId: signInSessionId(req) };
      const user = await deps.signIn(idpId, ctx, () =>
        authenticateAcs(deps.passport, deps.sp.strategyName(idpId), req, res, { isBoundRequest }),
      );
      await logInSession(req, user);
      res.redirect(303, safeReturnPath(body.RelayState));
    }),
  );

  metadataRoutes(router, deps);
  router.use(signOutRoutes(deps));
  return router;
}

/** SP metadata, per IdP connection. */
function metadataRoutes(router: Router, deps: SsoRouteDeps): void {
  // The default SP entity ID is this URL; with one IdP it resolves to that connection's metadata.
  router.get('/saml/metadata', (_req, res) => {
    const idps = deps.sp.listIdps();
    if (idps.length === 1 && idps[0] !== undefined)
      res.redirect(302, `/saml/metadata/${encodeURIComponent(idps[0].id)}`);
    else
      res
        .type('text/plain')
        .send(`SP metadata is per IdP connection: ${idps.map((i) => `/saml/metadata/${i.id}`).join(', ')}\n`);
  });

  router.get('/saml/metadata/:idp', (req, res) => {
    res.type('application/samlmetadata+xml').send(deps.sp.metadataXml(param(req, 'idp')));
  });
}
