// SAML routes: sign-in (SP-initiated, HTTP-Redirect), the assertion consumer service, SP metadata
// and sign-out. Handlers parse input, call one use case, then redirect or render.
import express, { Router, type Request } from 'express';
import type { ServiceProvider } from '../../saml/service-provider.ts';
import type { SessionUser } from '../../credentials/sign-in.ts';
import { requireCsrfToken } from '../middleware/csrf.ts';
import { safeReturnPath } from '../safe-return-path.ts';
import { asyncHandler } from '../async-handler.ts';

export interface SsoRouteDeps {
  sp: ServiceProvider;
  signIn: (idpId: string, samlResponse: unknown) => Promise<SessionUser>;
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
    res.render('login', { title: 'Sign in', idps: idps.map((i) => ({ id: i.id, name: i.name })), returnTo });
  });

  router.get('/login/:idp', asyncHandler(async (req, res) => {
    const url = await deps.sp.loginRedirectUrl(param(req, 'idp'), safeReturnPath(req.query.returnTo));
    res.redirect(302, url);
  }));

  router.post('/saml/acs/:idp', acsBody, asyncHandler(async (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await deps.signIn(param(req, 'idp'), body.SAMLResponse);
    // Passport regenerates the session here: a new ID after sign-in, so no fixation.
    req.login(user, (err) => {
      if (err !== undefined && err !== null) {
        next(err);
        return;
      }
      res.redirect(303, safeReturnPath(body.RelayState));
    });
  }));

  router.get('/saml/metadata/:idp', (req, res) => {
    res.type('application/samlmetadata+xml').send(deps.sp.metadataXml(param(req, 'idp')));
  });

  router.post('/logout', smallForm, requireCsrfToken(), (req, res, next) => {
    req.logout((err) => {
      if (err !== undefined && err !== null) {
        next(err);
        return;
      }
      req.session.destroy(() => res.redirect(303, '/'));
    });
  });

  return router;
}

function param(req: Request, name: string): string {
  return String(req.params[name] ?? '');
}
