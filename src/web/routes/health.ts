// Liveness, readiness and the Prometheus counters.
import { Router } from 'express';
import type { Metrics } from '../../credentials/metrics.ts';

export function healthRoutes(deps: { ready: () => Promise<boolean>; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res, next) => {
    deps.ready().then(
      (ok) => res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not ready' }),
      next,
    );
  });
  router.get('/metrics', (_req, res) => {
    res.type('text/plain; version=0.0.4').send(deps.metrics.render());
  });
  return router;
}
