// The JSON API for scripts and SQL clients: who am I, and credentials for a cluster. The
// request and response shapes are a stable interface (DESIGN.md).
import express, { Router } from 'express';
import type { DbLogin } from '../../credentials/issue-db-login.ts';
import type { ClusterConfig } from '../../config/schema.ts';
import { clustersForRole } from '../../credentials/cluster-access.ts';
import { BadRequest, NotFound, RoleNotPermitted } from '../../errors.ts';
import { requireJsonSameOrigin } from '../middleware/csrf.ts';
import { requireUser } from '../middleware/require-user.ts';
import { asyncHandler } from '../async-handler.ts';
import { readyGrants, type SessionUser } from '../session-user.ts';

export interface ApiRouteDeps {
  baseUrl: string;
  clusters: readonly ClusterConfig[];
  issue: (user: SessionUser, roleArn: string, clusterId: string) => Promise<DbLogin>;
}

export function apiRoutes(deps: ApiRouteDeps): Router {
  const router = Router();

  router.get('/api/me', requireUser(), (req, res) => {
    const user = req.user as SessionUser;
    const { identity } = user;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      idp: identity.idpId,
      nameId: identity.nameId,
      roles: user.grants.map((g) => ({ roleArn: g.roleArn, principalArn: g.principalArn, status: g.status, expiresAt: g.expiresAt, error: g.error, clusters: clustersForRole(deps.clusters, g.roleArn).map((c) => c.id) })),
      dbUser: identity.dbUser,
      dbGroups: identity.dbGroups,
      admin: user.admin,
    });
  });

  router.post(
    '/api/credentials',
    requireUser(),
    requireJsonSameOrigin(deps.baseUrl),
    express.json({ limit: '4kb', strict: true }),
    asyncHandler(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (typeof body.cluster !== 'string' || (body.role !== undefined && typeof body.role !== 'string')) {
        throw new BadRequest({ code: 'BAD_REQUEST', publicMessage: 'Expected { "cluster": string, "role"?: string }.' });
      }
      const user = req.user as SessionUser;
      const roleArn = body.role ?? onlyRoleFor(user, deps.clusters, body.cluster);
      const login = await deps.issue(user, roleArn, body.cluster);
      res.setHeader('Cache-Control', 'no-store');
      res.json({
        dbUser: login.dbUser,
        dbPassword: login.dbPassword,
        expiration: login.expiration.toISOString(),
        host: login.host,
        port: login.port,
        database: login.database,
        connectionStrings: login.connectionStrings,
      });
    }),
  );

  return router;
}

/** Without an explicit role, the one ready role that may use the cluster; several is ambiguous. */
function onlyRoleFor(user: SessionUser, clusters: readonly ClusterConfig[], clusterId: string): string {
  const cluster = clusters.find((c) => c.id === clusterId);
  if (cluster === undefined) throw new NotFound({ code: 'CLUSTER_UNKNOWN', publicMessage: `There is no cluster "${clusterId.slice(0, 64)}".` });
  const candidates = readyGrants(user).filter((g) => cluster.roles.includes(g.roleArn));
  if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0].roleArn;
  if (candidates.length === 0) throw new RoleNotPermitted({ code: 'ROLE_NOT_PERMITTED', publicMessage: `None of your roles may use cluster "${cluster.id}".` });
  throw new BadRequest({ code: 'ROLE_REQUIRED', publicMessage: `Several of your roles may use "${cluster.id}"; say which with "role".` });
}
