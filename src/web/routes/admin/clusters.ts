// The console's cluster page: clusters grouped by AWS account and region, add or replace one,
// remove one, and "Test this cluster" (DescribeClusters / GetWorkgroup with the admin's own role
// session; no password is asked for). Mounted by admin.ts behind requireAdmin; every POST carries
// the CSRF token.
import express, { Router, type Response } from 'express';
import { ClusterInvalid, type ClusterAdmin } from '../../../admin/cluster-admin.ts';
import type { ClusterTester, ClusterTestResult } from '../../../credentials/cluster-test.ts';
import type { ConnectionRegistry } from '../../../connections/connection-registry.ts';
import { groupClusters } from '../../../admin/cluster-groups.ts';
import { requireCsrfToken } from '../../middleware/csrf.ts';
import { wantsJson } from '../../middleware/error-handler.ts';
import { asyncHandler } from '../../async-handler.ts';
import { requestContext } from '../../request-context.ts';
import type { SessionUser } from '../../../sign-in/session-user.ts';
import { actorOf } from './request-fields.ts';

const adminForm = express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 50 });

export interface AdminClusterRouteDeps {
  clusters: ClusterAdmin;
  registry: ConnectionRegistry;
  tester: ClusterTester;
  /** aws.region: where an entry without its own region lives. */
  defaultRegion: string;
}

export function adminClusterRoutes(deps: AdminClusterRouteDeps): Router {
  const router = Router();

  router.get('/admin/clusters', (_req, res) => {
    renderClusters(res, deps, {});
  });

  router.post(
    '/admin/clusters',
    adminForm,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const input = req.body as Record<string, unknown>;
      try {
        await deps.clusters.save(clusterEntryOf(input), actorOf(req));
        res.redirect(303, '/admin/clusters');
      } catch (err) {
        if (!(err instanceof ClusterInvalid)) throw err;
        res.status(400);
        renderClusters(res, deps, { input, problems: err.problems });
      }
    }),
  );

  router.post(
    '/admin/clusters/:id/delete',
    adminForm,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      await deps.clusters.remove(String(req.params.id), actorOf(req));
      res.redirect(303, '/admin/clusters');
    }),
  );

  router.post(
    '/admin/clusters/:id/test',
    adminForm,
    requireCsrfToken(),
    asyncHandler(async (req, res) => {
      const sessionId = requestContext(req, res).sessionId ?? '';
      const result = await deps.tester.test(req.user as SessionUser, String(req.params.id), sessionId);
      if (wantsJson(req)) {
        res.json({ result, ...(result.signInAgain ? { signIn: signInUrl() } : {}) });
        return;
      }
      renderClusters(res, deps, { result });
    }),
  );

  return router;
}

function signInUrl(): string {
  return `/login?returnTo=${encodeURIComponent('/admin/clusters')}`;
}

interface PageState {
  input?: Record<string, unknown>;
  problems?: string[];
  result?: ClusterTestResult;
}

function renderClusters(res: Response, deps: AdminClusterRouteDeps, state: PageState): void {
  const snapshot = deps.registry.snapshot();
  const clusters = snapshot.clusters.map((c) => ({ ...c, source: snapshot.source('cluster', c.id) }));
  res.render('admin/clusters', {
    title: 'Clusters',
    groups: groupClusters(clusters, deps.defaultRegion),
    input: state.input ?? {},
    problems: state.problems ?? [],
    result: state.result,
    signInUrl: signInUrl(),
  });
}

/** The form's text fields as a cluster entry: blanks left out, lists split, numbers parsed. */
function clusterEntryOf(input: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string) => {
    const value = input[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const number = (name: string) => (text(name) === undefined ? undefined : Number(text(name)));
  const list = (name: string) =>
    text(name)
      ?.split(/[\s,]+/)
      .filter((item) => item !== '');
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
    dbGroups: list('dbGroups'),
    dbGroupsFilter: text('dbGroupsFilter'),
    credentialsApi: text('credentialsApi'),
    sessionPolicy: text('sessionPolicy') === undefined ? undefined : text('sessionPolicy') !== 'off',
    roles: list('roles') ?? [],
  };
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
}
