// The admin console: IdP connections, clusters, the audit trail, and the one-time setup token
// that opens it on a fresh install. Every route needs an admin session, re-checked on every
// request; every change is a POST with a CSRF token. Handlers parse the form, call one admin use
// case, then render or redirect.
import express, { Router, type Request, type Response } from 'express';
import { isAppError, type AppError } from '../../errors.ts';
import type { AuditFilter, AuditLog } from '../../store/ports.ts';
import type { SessionUser } from '../../credentials/sign-in.ts';
import type { IdpAdmin, IdpDraft } from '../../admin/idp-admin.ts';
import type { ClusterAdmin } from '../../admin/cluster-admin.ts';
import type { ClusterTester } from '../../admin/cluster-test.ts';
import type { ConnectionRegistry } from '../../admin/connection-registry.ts';
import { describeCertificate, EXPIRY_WARNING_DAYS } from '../../admin/certificate-info.ts';
import { auditCsv, auditJsonLines, parseAuditFilter } from '../../admin/audit-export.ts';
import { requireCsrfToken } from '../middleware/csrf.ts';
import { createSetupFormToken } from '../setup-form-token.ts';
import { requireAdmin } from '../middleware/require-admin.ts';
import { asyncHandler } from '../async-handler.ts';
import { SETUP_TOKEN_IDP } from '../../credentials/login-service.ts';
import { newSessionEnd } from '../../credentials/session-lifetime.ts';
import type { RequestContext } from '../../credentials/audit-trail.ts';
import { requestContext } from '../request-context.ts';
import { signOut } from '../sign-out.ts';
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
  adminRefused: (user: SessionUser, err: AppError, ctx: RequestContext & { method: string; path: string }) => Promise<void>;
  sessionMaxLifetimeSeconds: number;
  /** Every trusted IdP signing certificate and its days to expiry (the banner on every console page). */
  certificates: () => readonly CertificateExpiry[];
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
    req.login(setupAdmin(deps.now(), deps.sessionMaxLifetimeSeconds), (err) => (err === undefined || err === null ? res.redirect(303, '/admin') : next(err)));
  }));

  router.use(
    '/admin',
    requireAdmin({
      problem: deps.adminProblem,
      refused: (user, err, req, res) => deps.adminRefused(user, err, { ...requestContext(req, res), method: req.method, path: req.originalUrl.split('?')[0] ?? '' }),
    }),
  );
  router.use('/admin', certificateBanner(deps.certificates));

  router.get('/admin', (_req, res) => {
    const snapshot = deps.registry.snapshot();
    const now = deps.now();
    const idps = snapshot.idps.map((idp) => ({ id: idp.id, name: idp.name, entityId: idp.entityId, source: snapshot.source('idp', idp.id), certs: idp.certs.map((c) => describeCertificate(c, now)) }));
    const disabled = snapshot.records.idps.filter((r) => !snapshot.idps.some((i) => i.id === r.id)).map((r) => r.id);
    res.render('admin/home', { title: 'Admin', idps, disabled, clusters: snapshot.clusters.map((c) => ({ ...c, source: snapshot.source('cluster', c.id) })), warnDays: EXPIRY_WARNING_DAYS });
  });

  router.get('/admin/idps/new', (req, res) => {
    res.render('admin/idp-new', { title: 'Add an IdP connection', input: {}, error: undefined, preview: undefined, setup: isSetupSession(req) });
  });

  router.post('/admin/idps', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    const setup = isSetupSession(req);
    const draft = idpDraftOf(req, setup);
    const input = req.body as Record<string, unknown>;
    try {
      if (field(req, 'action') === 'save') {
        await deps.idps.create(draft, actorOf(req));
        if (setup) {
          await endSetupSession(req, res, deps, draft);
          return;
        }
        res.redirect(303, `/admin/idps/${encodeURIComponent(draft.id)}`);
        return;
      }
      const preview = await deps.idps.preview(draft);
      res.render('admin/idp-new', { title: 'Add an IdP connection', input, error: undefined, preview, setup });
    } catch (err) {
      renderFormError(res, err, 'admin/idp-new', { title: 'Add an IdP connection', input, preview: undefined, setup });
    }
  }));

  router.get('/admin/idps/:id', (req, res) => {
    const snapshot = deps.registry.snapshot();
    const id = String(req.params.id);
    const idp = snapshot.idps.find((i) => i.id === id);
    const record = snapshot.records.idps.find((r) => r.id === id);
    if (idp === undefined && record === undefined) {
      res.status(404).render('error', { title: 'Not found', code: 'IDP_UNKNOWN', message: 'There is no identity provider connection with that name.', requestId: res.locals.requestId, status: 404 });
      return;
    }
    const certs = (idp?.certs ?? []).map((c) => describeCertificate(c, deps.now()));
    const entry = (record?.entry ?? {}) as Record<string, unknown>;
    res.render('admin/idp', { title: `IdP ${id}`, id, idp, entry, attributeFields: ATTRIBUTE_FIELDS, source: snapshot.source('idp', id) ?? 'console', certs, acsUrl: deps.acsUrl(id), spEntityId: deps.spEntityId, warnDays: EXPIRY_WARNING_DAYS });
  });

  router.post('/admin/idps/:id/settings', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    await deps.idps.updateSettings(String(req.params.id), settingsOf(req), actorOf(req));
    res.redirect(303, `/admin/idps/${encodeURIComponent(String(req.params.id))}`);
  }));

  router.post('/admin/idps/:id/certs', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    await deps.idps.addCertificate(String(req.params.id), field(req, 'certificate') ?? '', actorOf(req));
    res.redirect(303, `/admin/idps/${encodeURIComponent(String(req.params.id))}`);
  }));

  router.post('/admin/idps/:id/certs/remove', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    await deps.idps.removeCertificate(String(req.params.id), field(req, 'fingerprint') ?? '', actorOf(req));
    res.redirect(303, `/admin/idps/${encodeURIComponent(String(req.params.id))}`);
  }));

  router.post('/admin/idps/:id/delete', form, requireCsrfToken(), asyncHandler(async (req, res) => {
    await deps.idps.remove(String(req.params.id), actorOf(req));
    res.redirect(303, '/admin');
  }));

  router.use(
    adminClusterRoutes({
      clusters: deps.clusters,
      registry: deps.registry,
      tester: deps.clusterTester,
      defaultRegion: deps.defaultRegion,
    }),
  );

  router.get('/admin/audit', asyncHandler(async (req, res) => {
    const filter = parseAuditFilter(req.query);
    res.render('admin/audit', { title: 'Audit trail', events: await deps.audit.queryAudit(filter), query: req.query, exportQuery: new URLSearchParams(req.query as Record<string, string>).toString() });
  }));

  router.get('/admin/audit.csv', asyncHandler(async (req, res) => {
    const events = await deps.audit.queryAudit({ ...parseAuditFilter(req.query), limit: 10_000 } satisfies AuditFilter);
    res.type('text/csv').setHeader('Content-Disposition', 'attachment; filename="redshift-sso-audit.csv"');
    res.send(auditCsv(events));
  }));

  router.get('/admin/audit.jsonl', asyncHandler(async (req, res) => {
    const events = await deps.audit.queryAudit({ ...parseAuditFilter(req.query), limit: 10_000 });
    res.type('application/x-ndjson').setHeader('Content-Disposition', 'attachment; filename="redshift-sso-audit.jsonl"');
    res.send(auditJsonLines(events));
  }));

  return router;
}

function isSetupSession(req: Request): boolean {
  return (req.user as SessionUser | undefined)?.identity.idpId === SETUP_TOKEN_IDP;
}

/** The first IdP is saved: the setup-token session ends, and the admin signs in through that IdP. */
async function endSetupSession(req: Request, res: Response, deps: AdminRouteDeps, draft: IdpDraft): Promise<void> {
  await signOut(req);
  res.locals.user = undefined;
  res.setHeader('Cache-Control', 'no-store');
  res.render('admin/setup-done', { title: 'First IdP connection saved', id: draft.id, name: draft.name || draft.id, acsUrl: deps.acsUrl(draft.id), spEntityId: deps.spEntityId });
}

function renderFormError(res: Response, err: unknown, view: string, locals: Record<string, unknown>): void {
  if (!isAppError(err) || err.status >= 500) throw err;
  res.status(err.status).render(view, { ...locals, error: `${err.publicMessage} (${err.code})` });
}

function field(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** In a setup-token session the first IdP must be able to make admins, or nobody could sign in as one. */
function idpDraftOf(req: Request, setup: boolean): IdpDraft {
  const settings = settingsOf(req);
  const certs = (field(req, 'certs') ?? '').split(/(?=-----BEGIN CERTIFICATE-----)/).map((c) => c.trim()).filter((c) => c !== '');
  return {
    id: (field(req, 'id') ?? '').trim(),
    name: field(req, 'name')?.trim(),
    metadataXml: field(req, 'metadataXml'),
    metadataUrl: field(req, 'metadataUrl'),
    entityId: field(req, 'entityId')?.trim() || undefined,
    ssoUrl: field(req, 'ssoUrl')?.trim() || undefined,
    certs,
    // A new connection makes no admins unless ticked; the setup-token session's first one must.
    settings: { ...settings, grantsAdmin: setup || settings.grantsAdmin === true },
  };
}

const ATTRIBUTE_FIELDS = ['role', 'roleSessionName', 'sessionDuration', 'dbUser', 'dbGroups', 'autoCreate', 'groups'] as const;

function settingsOf(req: Request): NonNullable<IdpDraft['settings']> {
  // An unchecked box sends nothing: on the settings form (marked) that means false; on the
  // new-connection form a box it does not show keeps its default.
  const fullForm = field(req, 'settingsForm') === '1';
  const flag = (name: string, otherwise: boolean) => (field(req, name) === 'on' ? true : fullForm || field(req, name) !== undefined ? false : otherwise);
  const skew = field(req, 'clockSkewSeconds');
  const attributes = Object.fromEntries(ATTRIBUTE_FIELDS.flatMap((name) => {
    const value = field(req, `attr_${name}`)?.trim();
    return value === undefined || value === '' ? [] : [[name, value]];
  }));
  const name = field(req, 'name')?.trim();
  return {
    ...(name === undefined || name === '' ? {} : { name }),
    allowIdpInitiated: flag('allowIdpInitiated', false),
    wantAssertionsSigned: flag('wantAssertionsSigned', true),
    wantResponseSigned: flag('wantResponseSigned', false),
    allowSha1Signatures: flag('allowSha1Signatures', false),
    wantLogoutSigned: flag('wantLogoutSigned', true),
    enabled: flag('enabled', true),
    // Only the full settings form (or a post that names the box) changes it; see idpDraftOf for new ones.
    ...(fullForm || field(req, 'grantsAdmin') !== undefined ? { grantsAdmin: field(req, 'grantsAdmin') === 'on' } : {}),
    ...(skew === undefined || skew === '' ? {} : { clockSkewSeconds: Number(skew) }),
    ...(fullForm || Object.keys(attributes).length > 0 ? { attributes } : {}),
  };
}

function actorOf(req: Request): string {
  const user = req.user as SessionUser | undefined;
  return user === undefined ? 'unknown' : `${user.identity.idpId}:${user.identity.nameId}`;
}

function setupAdmin(now: Date, maxLifetimeSeconds: number): SessionUser {
  return {
    identity: { idpId: SETUP_TOKEN_IDP, issuer: 'redshift-sso', nameId: 'setup-token', roles: [], roleSessionName: 'setup', dbUser: 'setup', dbGroups: [], autoCreate: false, groups: [], ignored: [] },
    grants: [],
    admin: true,
    signedInAt: now.toISOString(),
    sessionExpiresAt: newSessionEnd(now, maxLifetimeSeconds).toISOString(),
  };
}
