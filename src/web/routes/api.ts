// The JSON API for scripts and SQL clients: who am I, and credentials for a cluster. The
// request and response shapes are a stable interface (DESIGN.md).
import express, { Router } from 'express';
import type { DbLogin } from '../../credentials/issue-db-login.ts';
import type { ClusterConfig } from '../../config/schema.ts';
import { clustersForRole } from '../../credentials/cluster-access.ts';
import { BadRequest } from '../../errors.ts';
import { requireJsonSameOrigin } from '../middleware/csrf.ts';
import { requireUser } from '../middleware/require-user.ts';
import { asyncHandler } from '../async-handler.ts';
import { requestContext } from '../request-context.ts';
import type { RequestContext } from '../../audit/audit-trail.ts';
import type { SessionUser } from '../../sign-in/session-user.ts';
import { bearerAuth, type AuthenticateToken } from '../middleware/bearer.ts';
import { CA_FILE } from '../ca-file.ts';

export interface ApiRouteDeps {
  baseUrl: string;
  /** The current clusters (configuration file and admin console). */
  clusters: () => readonly ClusterConfig[];
  /** Without a role, the one ready role that may use the cluster. */
  issue: (
    user: SessionUser,
    roleArn: string | undefined,
    clusterId: string,
    ctx: RequestContext,
    options?: { caFile?: string },
  ) => Promise<DbLogin>;
  /** Bearer tokens of SQL clients (the CLI). */
  authenticateToken: AuthenticateToken;
}

export function apiRoutes(deps: ApiRouteDeps): Router {
  const router = Router();

  const bearer = bearerAuth(deps.authenticateToken);

  router.get('/api/me', bearer, requireUser(), (req, res) => {
    const user = req.user as SessionUser;
    const { identity } = user;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      idp: identity.idpId,
      nameId: identity.nameId,
      roles: user.grants.map((g) => ({
        roleArn: g.roleArn,
        principalArn: g.principalArn,
        status: g.status,
        expiresAt: g.expiresAt,
        error: g.error,
        clusters: clustersForRole(deps.clusters(), g.roleArn).map((c) => c.id),
      })),
      dbUser: identity.dbUser,
      dbGroups: identity.dbGroups,
      admin: user.admin,
    });
  });

  router.post(
    '/api/credentials',
    bearer,
    requireUser(),
    requireJsonSameOrigin(deps.baseUrl),
    express.json({ limit: '4kb', strict: true }),
    asyncHandler(async (req, res) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (
        typeof body.cluster !== 'string' ||
        (body.role !== undefined && typeof body.role !== 'string') ||
        (body.caFile !== undefined && (typeof body.caFile !== 'string' || !CA_FILE.test(body.caFile)))
      ) {
        throw new BadRequest({
          code: 'BAD_REQUEST',
          publicMessage: 'Expected { "cluster": string, "role"?: string, "caFile"?: absolute path }.',
        });
      }
      const user = req.user as SessionUser;
      const login = await deps.issue(
        user,
        body.role,
        body.cluster,
        requestContext(req, res),
        body.caFile === undefined ? {} : { caFile: body.caFile },
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json(credentialsBody(login, deps.baseUrl));
    }),
  );

  return router;
}

/** The response of POST /api/credentials. */
function credentialsBody(login: DbLogin, baseUrl: string) {
  return {
    dbUser: login.dbUser,
    dbPassword: login.dbPassword,
    expiration: login.expiration.toISOString(),
    host: login.host,
    port: login.port,
    database: login.database,
    sslMode: login.sslMode,
    sslRootCert: login.sslRootCert ?? null,
    caBundleUrl: login.hasCaBundle
      ? `${baseUrl.replace(/\/+$/, '')}/ca/${encodeURIComponent(login.clusterId)}.pem`
      : null,
    connectionStrings: login.connectionStrings,
  };
}
