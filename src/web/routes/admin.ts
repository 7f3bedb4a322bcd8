// The admin console: IdP connections, clusters, the audit trail (admin/audit.ts), and the one-time
// setup token that opens it on a fresh install. Every route needs an admin session, re-checked on every
// request; every change is a POST with a CSRF token. Handlers parse the form, call one admin use
// case, then render or redirect. The IdP connection pages live in admin/idps.ts.
import express, { Router, type Response } from 'express';
import type { AppError } from '../../errors.ts';
import type { AuditLog } from '../../store/ports.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import type { IdpAdmin } from '../../admin/idp-admin.ts';
import { ClusterInvalid, type ClusterAdmin } from '../../admin/cluster-admin.ts';
import type { ConnectionRegistry } from '../../connections/connection-registry.ts';
import { describeCertificate, EXPIRY_WARNING_DAYS } from '../../admin/certificate-info.ts';
import { auditRoutes } from './admin/audit.ts';
import { requireCsrfToken } from '../middleware/csrf.ts';
import { createSetupFormToken } from '../setup-form-token.ts';
import { requireAdmin } from '../middleware/require-admin.ts';
import { asyncHandler } from '../async-handler.ts';
import { setupSessionUser } from '../../setup-token/setup-session.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';
import { requestContext } from '../request-context.ts';
import { idpRoutes } from './admin/idps.ts';
import { actorOf, field } from './admin/request-fields.ts';

export interface AdminRouteDeps {
  idps: IdpAdmin;
  clusters: ClusterAdmin;
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
  adminRefused: (user: SessionUser, err: AppError, ctx: RequestContext & { method: string; path: string }) => Promise<void>;
  sessionMaxLifetimeSeconds: number;
}

const form = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 });

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();

  // Open to anyone, so it must not start a session: its CSRF token lives in a cookie instead.
  const setupForm = createSetupFormToken({ https: deps.https });
  router.get('/admin/setup', (req, res) => {
    res.render('admin/setup', { title: 'Set up redshift-sso', csrfToken: setupForm.issue(req, res), error: undefined });
  });

  router.post('/admin/setup', form, setupForm.require(), asyncHandler(async (req, res, next) => {
    if (!(await deps.consumeSetupToken(field(req, 'token')))) {
      res.status(403).render('admin/setup', {
        title: 'Set up redshift-sso',
        csrfToken: setupForm.issue(req, res),
        error: 'That setup token is not valid, was already used, or an IdP connection already exists (then sign in through it).',
      });
      return;
    }
    setupForm.clear(res);
    req.login(setupSessionUser(deps.now(), deps.sessionMaxLifetimeSeconds), (err) => (err === undefined || err === null ? res.redirect(303, '/admin') : next(err)));
  }));

  router.use(
    '/admin',
    requireAdmin({
      problem: deps.adminProblem,
      refused: (user, err, req, res) => deps.adminRefused(user, err, { ...requestContext(req, res), method: req.method, path: req.originalUrl.split('?')[0] ?? '' }),
    }),
  );

  router.get('/admin', (_req, res) => {
    const snapshot = deps.registry.snapshot();
    const now = deps.now();
    const idps = snapshot.idps.map((idp) => ({ id: idp.id, name: idp.name, entityId: idp.entityId, source: snapshot.source('idp', idp.id), certs: idp.certs.map((c) => describeCertificate(c, now)) }));
    const disabled = snapshot.records.idps.filter((r) => !snapshot.idps.some((i) => i.id === r.id)).map((r) => r.id);
    res.render('admin/home', { title: 'Admin', idps, disabled, clusters: snapshot.clusters.map((c) => ({ ...c, source: snapshot.source('cluster', c.id) })), warnDays: EXPIRY_WARNING_DAYS });
  });

  router.use(idpRoutes(deps));

  router.get('/admin/clusters', (_req, res) => {
    renderClusters(res, deps, {}, undefined);
  });

  router.post('/admin/clusters', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    const input = req.body as Record<string, unknown>;
    try {
      await deps.clusters.save(clusterEntryOf(input), actorOf(req));
      res.redirect(303, '/admin/clusters');
    } catch (err) {
      if (!(err instanceof ClusterInvalid)) throw err;
      res.status(400);
      renderClusters(res, deps, input, err.problems);
    }
  }));

  router.post('/admin/clusters/:id/delete', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    await deps.clusters.remove(String(req.params.id), actorOf(req));
    res.redirect(303, '/admin/clusters');
  }));

  router.use(auditRoutes({
    audit: deps.audit,
    known: () => {
      const snapshot = deps.registry.snapshot();
      return { idps: snapshot.idps.map((i) => i.id), clusters: snapshot.clusters.map((c) => c.id) };
    },
  }));

  return router;
}

function renderClusters(res: Response, deps: AdminRouteDeps, input: Record<string, unknown>, problems: string[] | undefined): void {
  const snapshot = deps.registry.snapshot();
  res.render('admin/clusters', { title: 'Clusters', clusters: snapshot.clusters.map((c) => ({ ...c, source: snapshot.source('cluster', c.id) })), input, problems: problems ?? [] });
}

function clusterEntryOf(input: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string) => (typeof input[name] === 'string' && (input[name] as string).trim() !== '' ? (input[name] as string).trim() : undefined);
  const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));
  const entry: Record<string, unknown> = {
    id: text('id'),
    name: text('name'),
    type: text('type') ?? 'provisioned',
    clusterIdentifier: text('clusterIdentifier'),
    customDomainName: text('customDomainName'),
    workgroup: text('workgroup'),
    workgroupId: text('workgroupId'),
    region: text('region'),
    database: text('database'),
    host: text('host'),
    port: number('port'),
    sslMode: text('sslMode'),
    durationSeconds: number('durationSeconds'),
    autoCreate: text('autoCreate') === undefined ? undefined : text('autoCreate') === 'true',
    dbGroups: text('dbGroups')?.split(/[\s,]+/).filter((g) => g !== ''),
    dbGroupsFilter: text('dbGroupsFilter'),
    credentialsApi: text('credentialsApi'),
    sessionPolicy: text('sessionPolicy') === undefined ? undefined : text('sessionPolicy') !== 'off',
    roles: (text('roles') ?? '').split(/[\s,]+/).filter((r) => r !== ''),
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}
