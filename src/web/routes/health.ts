// Liveness and readiness, and GET /metrics on the main port when a metrics token is configured.
// Readiness fails as soon as the process starts draining, so a load balancer stops sending to it.
import { Router } from 'express';
import type { Metrics } from '../../metrics.ts';
import { metricsRoutes } from './metrics.ts';

export interface HealthDeps {
  ready: () => Promise<boolean>;
  draining: () => boolean;
  /** Mounts GET /metrics behind this bearer token; absent, /metrics is not served here. */
  metrics?: { token: string; metrics: Pick<Metrics, 'render' | 'contentType'> };
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res, next) => {
    if (deps.draining()) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    deps.ready().then((ok) => res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' }), next);
  });
  if (deps.metrics !== undefined) router.use(metricsRoutes(deps.metrics));
  return router;
}
