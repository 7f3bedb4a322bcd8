// Times every request and reports it by method, Express route pattern and status. The route is the
// pattern that handled the request (/saml/acs/:idp), never the raw path, so an attacker cannot
// grow the label set; requests no route handled (static files, 404s, rate limits) share one label.
import type { Request, RequestHandler } from 'express';

export type HttpObserver = (labels: { method: string; route: string; status: string }, seconds: number) => void;

export const UNMATCHED_ROUTE = '(unmatched)';

function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
}

export function httpMetrics(observe: HttpObserver): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      // A client that went away before the answer was written has no status to report.
      const status = res.headersSent ? String(res.statusCode) : 'aborted';
      observe({ method: req.method, route: routeOf(req), status }, (performance.now() - started) / 1000);
    });
    next();
  };
}
