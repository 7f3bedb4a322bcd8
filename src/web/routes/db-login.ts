// Browser pages after sign-in: the role chooser, the cluster chooser and the credentials page.
// Issuing credentials is a POST with a CSRF token; the page that shows them is never cached.
import express, { Router, type RequestHandler } from 'express';
import type { ClusterConfig } from '../../config/schema.ts';
import { withCaFile, type DbLogin } from '../../credentials/issue-db-login.ts';
import { CA_FILE } from '../ca-file.ts';
import { clustersForRole } from '../../credentials/cluster-access.ts';
import { BadRequest } from '../../errors.ts';
import { csrfToken, requireCsrfToken } from '../middleware/csrf.ts';
import { requireUser } from '../middleware/require-user.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';
import { readyGrants, type SessionUser } from '../../sign-in/session-user.ts';
import type { IssuedLoginBox } from '../../credentials/issued-login-box.ts';
import type { LastIdp } from '../last-idp.ts';

declare module 'express-session' {
  interface SessionData {
    /** The login the credentials page shows, sealed, until it expires (post/redirect/get). */
    issuedLogin?: string;
    /** Where this person saved the cluster CA bundles: the page's strings name it as sslrootcert. */
    caFile?: string;
  }
}

export interface DbLoginRouteDeps {
  /** The current clusters (configuration file and admin console). */
  clusters: () => readonly ClusterConfig[];
  listIdps: () => Array<{ id: string; name: string }>;
  lastIdp: LastIdp;
  issue: (
    user: SessionUser,
    roleArn: string,
    clusterId: string,
    ctx: RequestContext,
    options?: { caFile?: string },
  ) => Promise<DbLogin>;
  loginBox: IssuedLoginBox;
  now: () => Date;
}

const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

export function dbLoginRoutes(deps: DbLoginRouteDeps): Router {
  const router = Router();

  router.get('/', homePage(deps));

  router.post(
    '/credentials',
    requireUser(),
    form,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.role !== 'string' || typeof body.cluster !== 'string') {
        throw new BadRequest({ code: 'BAD_REQUEST', publicMessage: 'Choose a role and a cluster.' });
      }
      const user = req.user as SessionUser;
      const caFile = req.session.caFile;
      const login = await deps.issue(
        user,
        body.role,
        body.cluster,
        requestContext(req, res),
        caFile === undefined ? {} : { caFile },
      );
      req.session.issuedLogin = deps.loginBox.seal(login);
      res.redirect(303, '/credentials');
    }),
  );

  // "I saved the CA bundle here": the strings of the login on the page (and later ones) name it.
  router.post('/credentials/ca-file', requireUser(), form, requireCsrfToken(), (req, res) => {
    const caFile = (req.body as Record<string, unknown>).caFile;
    if (typeof caFile !== 'string' || !CA_FILE.test(caFile)) {
      throw new BadRequest({
        code: 'BAD_REQUEST',
        publicMessage:
          'Give the full path of the CA bundle file, e.g. /home/you/certs/redshift-ca.pem or C:\\certs\\redshift-ca.pem.',
      });
    }
    req.session.caFile = caFile;
    const login = req.session.issuedLogin === undefined ? undefined : deps.loginBox.open(req.session.issuedLogin);
    if (login !== undefined) req.session.issuedLogin = deps.loginBox.seal(withCaFile(login, caFile));
    res.redirect(303, '/credentials');
  });

  // Shows the login issued last, as often as the page is reloaded; once it has expired, the
  // secret leaves the session and the page offers a fresh one.
  router.get('/credentials', requireUser(), (req, res) => {
    const sealed = req.session.issuedLogin;
    const login = sealed === undefined ? undefined : deps.loginBox.open(sealed);
    if (login === undefined) {
      res.redirect(303, '/');
      return;
    }
    const expired = login.expiration.getTime() <= deps.now().getTime();
    if (expired) delete req.session.issuedLogin;
    res.setHeader('Cache-Control', 'no-store');
    res.render('credentials', {
      title: 'Database credentials',
      user: req.user,
      login,
      expired,
      csrfToken: csrfToken(req),
    });
  });

  return router;
}

/** Signed out: the IdP chooser; signed in: choose a role, then a cluster for it. */
function homePage(deps: DbLoginRouteDeps): RequestHandler {
  return (req, res) => {
    const user = req.user;
    if (user === undefined) {
      res.render('home', { title: 'Sign in to Redshift', idps: deps.lastIdp.order(req, deps.listIdps()) });
      return;
    }
    const ready = readyGrants(user);
    // The chooser also shows when a role was refused, so the person sees why.
    const chosen = ready.find((g) => g.roleArn === req.query.role) ?? (user.grants.length === 1 ? ready[0] : undefined);
    res.setHeader('Cache-Control', 'no-store');
    if (chosen === undefined) {
      res.render('choose-role', { title: 'Choose a role', user, grants: user.grants, csrfToken: csrfToken(req) });
      return;
    }
    const clusters = clustersForRole(deps.clusters(), chosen.roleArn).map((c) => ({
      id: c.id,
      name: c.name ?? c.id,
      type: c.type,
      database: c.database,
    }));
    res.render('choose-cluster', {
      title: 'Choose a cluster',
      user,
      grant: chosen,
      clusters,
      canChangeRole: ready.length > 1,
      csrfToken: csrfToken(req),
    });
  };
}
