// The admin console: IdP connections, clusters, the audit trail (admin/audit.ts), and the one-time
// setup token that opens it on a fresh install. Every route needs an admin session, re-checked on every
// request; every change is a POST with a CSRF token. Handlers parse the form, call one admin use
// case, then render or redirect. The IdP connection pages live in admin/idps.ts.
import express, { Router } from 'express';
import type { AppError } from '../../errors.ts';
import type { AuditLog } from '../../store/ports.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import type { IdpAdmin } from '../../admin/idp-admin.ts';
import type { ClusterAdmin } from '../../admin/cluster-admin.ts';
import type { ClusterTester } from '../../credentials/cluster-test.ts';
import type { ConnectionRegistry } from '../../connections/connection-registry.ts';
import { describeCertificate, EXPIRY_WARNING_DAYS } from '../../admin/certificate-info.ts';
import { auditRoutes } from './admin/audit.ts';
import { createSetupFormToken } from '../setup-form-token.ts';
import { requireAdmin } from '../middleware/require-admin.ts';
import { asyncHandler } from '../async-handler.ts';
import { setupSessionUser } from '../../setup-token/setup-session.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';
import { requestContext } from '../request-context.ts';
import { idpRoutes } from './admin/idps.ts';
import { field } from './admin/request-fields.ts';
import { adminClusterRoutes } from './admin/clusters.ts';
import { certificateBanner } from '../middleware/certificate-banner.ts';
import type { CertificateExpiry } from '../../admin/certificate-expiry.ts';

export interface AdminRouteDeps {
  idps: IdpAdmin;
  clusters: ClusterAdmin;
  /** "Test this cluster" on the cluster page. */
  clusterTester: ClusterTester;
  /** aws.region: the region of a cluster entry without one. */
  defaultRegion: string;
  registry: ConnectionRegistry;
  audit: AuditLog;
  acsUrl: (idpId: string) => string;
  spEntityId: string;
  now: () => Date;
  /** True for the one request that presents the valid setup token (it is spent then). */
  consumeSetupToken: (token: unknown) => Promise<boolean>;
  /** HTTPS deployment: the setup form's cookie gets Secure and the __Host- prefix. */
  https: boolean;
  /** Why an admin session may no longer act as admin (see admin/admin-session.ts). */
  adminProblem: (user: SessionUser) => AppError | undefined;
  /** Records a refused admin request (the audit trail); must not throw. */
  adminRefused: (
    user: SessionUser,
    err: AppError,
    ctx: RequestContext & { method: string; path: string },
  ) => Promise<void>;
  sessionMaxLifetimeSeconds: number;
  /** Every trusted IdP signing certificate and its days to expiry (the banner on every console page). */
  certificates: () => readonly CertificateExpiry[];
}

const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 });

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  setupRoutes(router, deps);

  router.use(
    '/admin',
    requireAdmin({
      problem: deps.adminProblem,
      refused: (user, err, req, res) =>
        deps.adminRefused(user, err, {
          ...requestContext(req, res),
          method: req.method,
          path: req.originalUrl.split('?')[0] ?? '',
        }),
    }),
  );
  router.use('/admin', certificateBanner(deps.certificates));

  router.get('/admin', (_req, res) => {
    const snapshot = deps.registry.snapshot();
    const now = deps.now();
    const idps = snapshot.idps.map((idp) => ({
      id: idp.id,
      name: idp.name,
      entityId: idp.entityId,
      source: snapshot.source('idp', idp.id),
      certs: idp.certs.map((c) => describeCertificate(c, now)),
    }));
    const disabled = snapshot.records.idps.filter((r) => !snapshot.idps.some((i) => i.id === r.id)).map((r) => r.id);
    res.render('admin/home', {
      title: 'Admin',
      idps,
      disabled,
      clusters: snapshot.clusters.map((c) => ({ ...c, source: snapshot.source('cluster', c.id) })),
      warnDays: EXPIRY_WARNING_DAYS,
    });
  });

  router.use(idpRoutes(deps));

  router.use(
    adminClusterRoutes({
      clusters: deps.clusters,
      registry: deps.registry,
      tester: deps.clusterTester,
      defaultRegion: deps.defaultRegion,
    }),
  );

  router.use(
    auditRoutes({
      audit: deps.audit,
      known: () => {
        const snapshot = deps.registry.snapshot();
        return { idps: snapshot.idps.map((i) => i.id), clusters: snapshot.clusters.map((c) => c.id) };
      },
    }),
  );

  return router;
}

/** The setup-token form that opens the console on a fresh install. */
function setupRoutes(router: Router, deps: AdminRouteDeps): void {
  // Open to anyone, so it must not start a session: its CSRF token lives in a cookie instead.
  const setupForm = createSetupFormToken({ https: deps.https });
  router.get('/admin/setup', (req, res) => {
    res.render('admin/setup', { title: 'Set up redshift-sso', csrfToken: setupForm.issue(req, res), error: undefined });
  });

  router.post(
    '/admin/setup',
    form,
    setupForm.require(),
    asyncHandler(async (req, res, next) => {
      if (!(await deps.consumeSetupToken(field(req, 'token')))) {
        res.status(403).render('admin/setup', {
          title: 'Set up redshift-sso',
          csrfToken: setupForm.issue(req, res),
          error:
            'That setup token is not valid, was already used, or an IdP connection already exists (then sign in through it).',
        });
        return;
      }
      setupForm.clear(res);
      req.login(setupSessionUser(deps.now(), deps.sessionMaxLifetimeSeconds), (err) =>
        err === undefined || err === null ? res.redirect(303, '/admin') : next(err),
      );
    }),
  );
}
