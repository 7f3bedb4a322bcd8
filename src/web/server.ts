// The Express app: middleware order, view engine, routers, error handler. Knows HTTP and nothing
// about SAML or AWS beyond the use cases it is handed.
import express, { type Express, type Router } from 'express';
import helmet from 'helmet';
import session from 'express-session';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import type { RateLimitCounters, SessionRecords } from '../store/ports.ts';
import { requestId } from './middleware/request-id.ts';
import { errorHandler, notFoundHandler } from './middleware/error-handler.ts';
import { RecordsSessionStore } from './session-store.ts';
import { csrfToken } from './middleware/csrf.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { noStore } from './middleware/no-store.ts';
import { faviconRoutes } from './routes/favicon.ts';
import { generateSessionId } from './session-id.ts';
import type { SessionUser } from '../sign-in/session-user.ts';
import type { AppPassport } from '../saml/acs-strategy.ts';
import { httpMetrics, type HttpObserver } from './middleware/http-metrics.ts';
import { VIEWS_DIR } from '../project-root.ts';
import { enforceSessionLifetime, type SessionLifetimeOptions } from './middleware/session-lifetime.ts';
import { sessionEndsAt } from '../sign-in/session-lifetime.ts';

export { VIEWS_DIR };

export interface ServerOptions {
  baseUrl: string;
  trustProxy: boolean | number | string | readonly string[];
  sessionSecret: string;
  sessionTtlSeconds: number;
  /** The absolute lifetime of a session, the clock it is measured with, and who records an expiry. */
  sessionLifetime: SessionLifetimeOptions;
  demo: boolean;
  logger: Logger;
  sessions: SessionRecords;
  rateLimit: { windowSeconds: number; login: number; acs: number; api: number; ipv6Subnet: number };
  /** Told of every finished request: method, route pattern, status, seconds. */
  observeHttp?: HttpObserver;
  /** Counters shared by every instance on the store (PostgreSQL); default in memory. */
  rateLimitCounters?: RateLimitCounters;
  /** Runs before every route but the probes: brings the IdP and cluster list up to date. */
  beforeRoutes?: () => Promise<void>;
  /** The app's Passport (its SAML strategies are registered by the service provider). */
  passport: AppPassport;
  /** Health, readiness and metrics: mounted first, so they answer even when the store does not. */
  probes?: Router;
  routers: Router[];
}

export function createServer(options: ServerOptions): Express {
  const app = express();
  const https = new URL(options.baseUrl).protocol === 'https:';
  app.disable('x-powered-by');
  // A list comes from the frozen configuration; Express gets a copy of its own.
  app.set('trust proxy', typeof options.trustProxy === 'object' ? [...options.trustProxy] : options.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', VIEWS_DIR);
  app.locals.demo = options.demo;
  app.locals.baseUrl = options.baseUrl.replace(/\/+$/, '');

  if (options.observeHttp !== undefined) app.use(httpMetrics(options.observeHttp));
  app.use(requestId());
  app.use(requestLogger(options.logger));
  app.use(securityHeaders(https));
  app.use('/static', express.static(`${VIEWS_DIR}static`, { index: false, maxAge: '1h', fallthrough: false }));
  app.use(faviconRoutes());
  app.use(sessionMiddleware(options, https));
  // One Passport per app, so several apps in one process (tests) never share state.
  const authenticator = options.passport;
  // The whole SessionUser lives in the server-side session; the cookie carries only its ID.
  authenticator.serializeUser<SessionUser>((user, done) => done(null, user));
  authenticator.deserializeUser<SessionUser>((user, done) => done(null, user));
  app.use(authenticator.initialize());
  app.use(authenticator.session());
  app.use(noStore());
  app.use(enforceSessionLifetime(options.sessionLifetime));
  app.use((req, res, next) => {
    res.locals.user = req.user;
    // Signed-in pages all carry the sign-out form, so they all need the token.
    if (req.user !== undefined) res.locals.csrfToken = csrfToken(req);
    next();
  });
  useRateLimits(app, options);
  if (options.probes !== undefined) app.use(options.probes);
  const beforeRoutes = options.beforeRoutes;
  if (beforeRoutes !== undefined) app.use((_req, _res, next) => void beforeRoutes().then(() => next(), next));
  for (const router of options.routers) app.use(router);
  app.use(notFoundHandler());
  app.use(errorHandler(options.logger));
  return app;
}

/** Method, path and status of each request; the probes are not logged. */
function requestLogger(logger: ServerOptions['logger']): express.RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req, res) => String((res as express.Response).locals?.requestId ?? ''),
    // Method, path and status only: no headers, no query string, no body.
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err !== undefined || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
  });
}

function securityHeaders(https: boolean): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

function sessionMiddleware(options: ServerOptions, https: boolean): express.RequestHandler {
  return session({
    // __Host- binds the cookie to this exact origin; browsers accept it only with Secure.
    name: https ? '__Host-redshift-sso' : 'redshift-sso',
    secret: options.sessionSecret,
    store: new RecordsSessionStore(options.sessions, options.sessionTtlSeconds * 1000, {
      endOf: (data) =>
        data.passport?.user === undefined
          ? undefined
          : sessionEndsAt(data.passport.user, options.sessionLifetime.maxLifetimeSeconds),
    }),
    genid: generateSessionId,
    resave: false,
    saveUninitialized: false,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'lax', secure: https, path: '/', maxAge: options.sessionTtlSeconds * 1000 },
  });
}

/** Per-client limits by bucket, counted in the store when it shares them (rateLimitCounters). */
function useRateLimits(app: Express, options: ServerOptions): void {
  const limits = {
    windowMs: options.rateLimit.windowSeconds * 1000,
    ipv6Subnet: options.rateLimit.ipv6Subnet,
    counters: options.rateLimitCounters,
    logger: options.logger,
  };
  app.use(['/login', '/saml/slo'], rateLimit({ ...limits, bucket: 'login', limit: options.rateLimit.login }));
  app.use('/saml/acs', rateLimit({ ...limits, bucket: 'acs', limit: options.rateLimit.acs }));
  app.use(['/api', '/credentials', '/admin'], rateLimit({ ...limits, bucket: 'api', limit: options.rateLimit.api }));
  // The CLI's sign-in pages (user codes are guessable only by volume) and the CA bundles.
  app.use(['/cli', '/ca'], rateLimit({ ...limits, bucket: 'cli', limit: options.rateLimit.api }));
}
