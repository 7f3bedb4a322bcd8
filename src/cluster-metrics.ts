// Metrics with server.workers > 1. Each worker counts in its own prom-client registry, so a scrape
// that reached one worker would see only its share. Instead the primary gathers: it asks every
// listening worker for its registry as data over the cluster IPC channel and sums them
// (aggregateSnapshots), so counters and histograms are totals over the workers, while process
// metrics carry a `worker` label and stay one series per process. The primary serves the metrics
// listener itself; the token route, answered by whichever worker got the request, asks the primary.
// A scrape fails (500) rather than leave out a worker that does not answer: a partial sum would look
// like a counter reset to Prometheus.
import cluster, { type Worker } from 'node:cluster';
import { aggregateSnapshots, createMetrics, type Metrics, type MetricsSnapshot } from './metrics.ts';

const SNAPSHOT_REQ = 'redshift-sso:metrics-snapshot';
const SNAPSHOT_RES = 'redshift-sso:metrics-snapshot-res';
const SUM_REQ = 'redshift-sso:metrics-sum';
const SUM_RES = 'redshift-sso:metrics-sum-res';
const TIMEOUT_MS = 5000;

interface Message {
  type?: unknown;
  id?: number;
  snapshot?: MetricsSnapshot;
  text?: string;
  error?: string;
}

const asMessage = (value: unknown): Message => (typeof value === 'object' && value !== null ? (value as Message) : {});
const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Answers matched to requests by id, each failing after TIMEOUT_MS. */
function pendingReplies<T>() {
  const waiting = new Map<number, { resolve(value: T): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  let next = 0;
  return {
    ask(send: (id: number) => void, what: string): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`));
        }, TIMEOUT_MS);
        waiting.set(id, { resolve, reject, timer });
        try {
          send(id);
        } catch (err) {
          clearTimeout(timer);
          waiting.delete(id);
          reject(new Error(`${what}: ${reason(err)}`));
        }
      });
    },
    settle(id: number | undefined, error: string | undefined, value: T): void {
      const entry = id === undefined ? undefined : waiting.get(id);
      if (entry === undefined || id === undefined) return;
      waiting.delete(id);
      clearTimeout(entry.timer);
      if (error === undefined) entry.resolve(value);
      else entry.reject(new Error(error));
    },
  };
}

/** The labels that tell this process's own metrics apart from the other workers'. */
export function processMetricLabels(): Record<string, string> {
  return cluster.worker === undefined ? {} : { worker: String(cluster.worker.id) };
}

/**
 * In a worker: answers the primary's snapshot requests, and renders by asking the primary for the
 * sum over every worker. Outside a cluster the metrics are returned as they are.
 */
export function shareWithPrimary(metrics: Metrics): Metrics {
  if (!cluster.isWorker) return metrics;
  const sums = pendingReplies<string>();
  const send = (message: Message) => process.send?.(message);
  process.on('message', (raw: unknown) => {
    const message = asMessage(raw);
    if (message.type === SNAPSHOT_REQ) {
      metrics.snapshot().then(
        (snapshot) => send({ type: SNAPSHOT_RES, id: message.id, snapshot }),
        (err: unknown) => send({ type: SNAPSHOT_RES, id: message.id, error: reason(err) }),
      );
    } else if (message.type === SUM_RES) {
      sums.settle(message.id, message.error, message.text ?? '');
    }
  });
  return { ...metrics, render: () => sums.ask((id) => send({ type: SUM_REQ, id }), 'metrics from the primary') };
}

/**
 * In the primary: the sum of its own process metrics (labelled worker="primary") and every
 * listening worker's registry, and the answer to a worker's token route asking for it.
 */
export function primaryMetrics(listening: () => Worker[]): Pick<Metrics, 'render' | 'contentType'> {
  const own = createMetrics({ processMetrics: true, processLabels: { worker: 'primary' } });
  const snapshots = pendingReplies<MetricsSnapshot>();
  const render = async () => {
    const parts = await Promise.all([
      own.snapshot(),
      ...listening().map((worker) =>
        snapshots.ask((id) => worker.send({ type: SNAPSHOT_REQ, id }), `metrics of worker ${worker.id}`),
      ),
    ]);
    return aggregateSnapshots(parts);
  };
  cluster.on('message', (worker, raw: unknown) => {
    const message = asMessage(raw);
    if (message.type === SNAPSHOT_RES) {
      snapshots.settle(message.id, message.error, message.snapshot ?? []);
    } else if (message.type === SUM_REQ) {
      const reply = (answer: Message) => {
        if (worker.isConnected()) worker.send({ type: SUM_RES, id: message.id, ...answer });
      };
      render().then(
        (text) => reply({ text }),
        (err: unknown) => reply({ error: reason(err) }),
      );
    }
  });
  return { render, contentType: own.contentType };
}
