// Liveness, readiness and a few Prometheus counters.
import { Router } from 'express';

export interface Metrics {
  inc(name: string, labels?: Record<string, string>): void;
  render(): string;
}

export function createMetrics(): Metrics {
  const counters = new Map<string, number>();
  const key = (name: string, labels: Record<string, string> = {}) => {
    const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`);
    return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
  };
  return {
    inc(name, labels) {
      const k = key(name, labels);
      counters.set(k, (counters.get(k) ?? 0) + 1);
    },
    render() {
      const names = new Set([...counters.keys()].map((k) => k.split('{')[0]));
      const lines: string[] = [];
      for (const name of names) {
        lines.push(`# TYPE ${name} counter`);
        for (const [k, v] of counters) if (k.split('{')[0] === name) lines.push(`${k} ${v}`);
      }
      return `${lines.join('\n')}\n`;
    },
  };
}

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
