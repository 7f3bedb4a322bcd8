// GET /metrics on the main port, for scrapers that present the configured bearer token. Mounted
// only when metrics.token is set: without it the path does not exist here (404).
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { Unauthorized } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares through fixed-length digests, so neither the length nor a prefix of the token leaks. */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (\S+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}

export function metricsRoutes(deps: { token: string; metrics: Pick<Metrics, 'render' | 'contentType'> }): Router {
  const router = Router();
  router.get('/metrics', (req, res, next) => {
    if (!bearerTokenMatches(req.headers.authorization, deps.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      next(
        new Unauthorized({ code: 'METRICS_TOKEN_INVALID', publicMessage: 'Metrics need the configured bearer token.' }),
      );
      return;
    }
    deps.metrics.render().then((text) => res.type(deps.metrics.contentType).send(text), next);
  });
  return router;
}
