// The HTTP side: the Express app with its middleware, probes and every router, over the use
// cases. Mount order matters: extra routers (the demo IdP) first.
import type { Express, Router } from 'express';
import { SingleLogout } from '../saml/single-logout.ts';
import { sessionExpiredError } from '../sign-in/session-lifetime.ts';
import { IdpAdmin } from '../admin/idp-admin.ts';
import { ClusterAdmin } from '../admin/cluster-admin.ts';
import { ClusterTester } from '../credentials/cluster-test.ts';
import { createIssuedLoginBox } from '../credentials/issued-login-box.ts';
import { createAdminAuditor } from '../audit/admin-audit.ts';
import { consumeSetupToken } from '../setup-token/setup-token.ts';
import { adminSessionProblem } from '../admin/admin-session.ts';
import { requestContext } from '../web/request-context.ts';
import { createServer } from '../web/server.ts';
import { createLoginBinding } from '../web/login-binding.ts';
import { createLastIdp } from '../web/last-idp.ts';
import { adminRoutes } from '../web/routes/admin.ts';
import { ssoRoutes } from '../web/routes/sso.ts';
import { dbLoginRoutes } from '../web/routes/db-login.ts';
import { apiRoutes } from '../web/routes/api.ts';
import { healthRoutes } from '../web/routes/health.ts';
import { cliApiRoutes } from '../web/routes/cli-api.ts';
import { cliPageRoutes } from '../web/routes/cli-pages.ts';
import { caBundleRoutes } from '../web/routes/ca-bundle.ts';
import type { AppOverrides } from './overrides.ts';
import type { Connections, Core } from './core.ts';
import type { UseCases } from './use-cases.ts';

interface Parts {
  core: Core;
  connections: Connections;
  useCases: UseCases;
  overrides: AppOverrides;
  draining: () => boolean;
}

export function buildServer(parts: Parts): Express {
  const { core, connections, useCases, overrides } = parts;
  const { config, store, metrics, now } = core;
  return createServer({
    baseUrl: config.server.baseUrl,
    trustProxy: config.server.trustProxy,
    sessionSecret: config.server.sessionSecret,
    sessionTtlSeconds: config.server.sessionTtlSeconds,
    sessionLifetime: {
      maxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
      now,
      expired: (user, req, res) =>
        useCases.audit.sessionRefused(user, sessionExpiredError(), {
          ...requestContext(req, res),
          method: req.method,
          path: req.path,
        }),
    },
    demo: overrides.demo ?? false,
    logger: core.logger,
    passport: connections.sp.passport,
    sessions: store,
    rateLimit: config.server.rateLimit,
    observeHttp: metrics.httpRequest,
    rateLimitCounters: store.rateLimits,
    // Console changes made on any instance apply from the next request on.
    beforeRoutes: () => connections.registry.refresh().then(() => undefined),
    // Ready when the store answers: without it there is no sign-in, session or audit line.
    probes: healthRoutes({
      ready: () =>
        store.connectionsVersion().then(
          () => true,
          () => false,
        ),
      draining: parts.draining,
      metrics: config.metrics.token === undefined ? undefined : { token: config.metrics.token, metrics },
    }),
    routers: [...(overrides.extraRouters ?? []), ...userRouters(parts), adminRouter(parts)],
  });
}

/** Sign-in, database logins, the JSON API and the CLI's pages. */
function userRouters({ core, connections, useCases }: Parts): Router[] {
  const { config, now } = core;
  const { sp } = connections;
  const { audit, clusters, cli } = useCases;
  const https = config.server.baseUrl.startsWith('https:');
  const lastIdp = createLastIdp({ https });
  const issue = useCases.dbLogins.issue.bind(useCases.dbLogins);
  return [
    ssoRoutes({
      sp,
      passport: sp.passport,
      slo: new SingleLogout(sp),
      signIn: useCases.signIns.signIn.bind(useCases.signIns),
      loggedOut: (user, ctx) => audit.loggedOut(user, ctx),
      logoutRefused: (idpId, err, user, ctx) => audit.logoutRefused(idpId, err, user, ctx),
      binding: createLoginBinding({
        https,
        secret: config.server.sessionSecret,
        ttlSeconds: config.sp.requestTtlSeconds,
      }),
      lastIdp,
    }),
    dbLoginRoutes({
      clusters,
      listIdps: () => sp.listIdps().map((i) => ({ id: i.id, name: i.name })),
      lastIdp,
      issue,
      loginBox: createIssuedLoginBox(config.server.sessionSecret),
      now,
    }),
    apiRoutes({
      baseUrl: config.server.baseUrl,
      clusters,
      issue,
      authenticateToken: (token, ctx) => cli.tokens.authenticate(token, ctx),
    }),
    cliApiRoutes({ baseUrl: config.server.baseUrl, ...cli, logger: core.logger, now }),
    cliPageRoutes({ ...cli, now }),
    caBundleRoutes({ clusters }),
  ];
}

function adminRouter({ core, connections, useCases }: Parts): Router {
  const { config, store, now } = core;
  const { sp, registry, metadata } = connections;
  const { hasAnyIdp } = useCases;
  const adminAudit = createAdminAuditor(store, now);
  return adminRoutes({
    idps: new IdpAdmin({ store, registry, metadata, fetchOptions: core.fetchOptions, audit: adminAudit, now }),
    clusters: new ClusterAdmin({ store, registry, audit: adminAudit, now, production: config.mode === 'production' }),
    clusterTester: new ClusterTester({
      redshift: core.redshift,
      vault: useCases.vault,
      clusters: useCases.clusters,
      defaultRegion: config.aws.region,
      now,
      logger: core.logger,
    }),
    defaultRegion: config.aws.region,
    registry,
    audit: store,
    acsUrl: (idpId) => sp.acsUrl(idpId),
    spEntityId: sp.entityId,
    consumeSetupToken: (token) => consumeSetupToken(store, token, hasAnyIdp()),
    https: config.server.baseUrl.startsWith('https:'),
    adminProblem: (user) => adminSessionProblem(user, { idps: registry.snapshot().idps, anyIdpExists: hasAnyIdp() }),
    adminRefused: (user, err, ctx) => useCases.audit.sessionRefused(user, err, ctx),
    sessionMaxLifetimeSeconds: config.server.sessionMaxLifetimeSeconds,
    certificates: useCases.certificates,
    now,
  });
}
