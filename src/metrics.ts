// The service's Prometheus metrics, one prom-client Registry per app (never the global one, so a
// process can hold several apps, as the tests do). The only module that imports prom-client; the
// rest records through the narrow methods below. Label values come from bounded sets only: route
// patterns, configured IdP and cluster ids, AWS operation names and stable error codes.
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';

/** One registry's metrics as plain data: what a cluster worker sends the primary to be summed. */
export type MetricsSnapshot = Array<MetricObjectWithValues<MetricValue<string>>>;

export type SignInOutcome = 'ok' | 'refused' | 'error';

export interface Metrics {
  httpRequest(labels: { method: string; route: string; status: string }, seconds: number): void;
  signIn(idp: string, outcome: SignInOutcome): void;
  samlRefused(code: string): void;
  dbLoginIssued(cluster: string): void;
  awsCall(api: string, outcome: string, seconds: number): void;
  /** Where the IdP certificates' days to expiry are read from at each scrape (a series per IdP and certificate). */
  watchCertificates(read: () => readonly CertificateDays[]): void;
  /** Where the validation threads' size and queue are read from at each scrape (saml/validation-pool.ts). */
  watchValidation(read: () => ValidationLoad): void;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** This registry's metrics as data (see aggregateSnapshots). */
  snapshot(): Promise<MetricsSnapshot>;
  readonly contentType: string;
}

export interface CertificateDays {
  idp: string;
  fingerprint: string;
  days: number;
}

export interface ValidationLoad {
  threads: number;
  queued: number;
}

export interface MetricsOptions {
  /** Process, heap, GC and event-loop metrics; they start monitors that never stop, so only when served. */
  processMetrics: boolean;
  /** Labels on the process metrics only, e.g. { worker: '2' }: they stay one series per process when summed. */
  processLabels?: Record<string, string>;
}

/** An error code as a label value: anything that is not a stable UPPER_SNAKE code counts as OTHER. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'OTHER';
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry, labels: options.processLabels });
  const { http, logins, refusals, dbLogins, aws } = createInstruments(registers);

  let certificates: () => readonly CertificateDays[] = () => [];
  new Gauge({
    name: 'redshift_sso_idp_certificate_expiry_days',
    help: 'whole days until each IdP signing certificate expires (negative once expired), by IdP and fingerprint',
    labelNames: ['idp', 'fingerprint'] as const,
    registers,
    // Read at scrape time: certificates come and go through the console; a removed one leaves no series.
    collect() {
      this.reset();
      for (const c of certificates()) this.set({ idp: c.idp, fingerprint: c.fingerprint }, c.days);
    },
  });

  let validation: () => ValidationLoad = () => ({ threads: 0, queued: 0 });
  watchValidationLoad(registers, () => validation());

  return {
    watchCertificates: (read) => {
      certificates = read;
    },
    watchValidation: (read) => {
      validation = read;
    },
    httpRequest: (labels, seconds) => http.observe(labels, seconds),
    signIn: (idp, outcome) => logins.inc({ idp, outcome }),
    samlRefused: (code) => refusals.inc({ code: errorCodeLabel(code) }),
    dbLoginIssued: (cluster) => dbLogins.inc({ cluster }),
    awsCall: (api, outcome, seconds) =>
      aws.observe({ api, outcome: outcome === 'ok' ? 'ok' : errorCodeLabel(outcome) }, seconds),
    render: () => registry.metrics(),
    snapshot: () => registry.getMetricsAsJSON() as Promise<MetricsSnapshot>,
    contentType: registry.contentType,
  };
}

/** Gauges read at scrape time: how many validation threads run, and how many responses wait for one. */
function watchValidationLoad(registers: Registry[], read: () => ValidationLoad): void {
  new Gauge({
    name: 'redshift_sso_validation_threads',
    help: 'threads checking SAML response signatures off the event loop (server.validationThreads)',
    registers,
    collect() {
      this.set(read().threads);
    },
  });
  new Gauge({
    name: 'redshift_sso_validation_queue_length',
    help: 'SAML responses waiting for a validation thread',
    registers,
    collect() {
      this.set(read().queued);
    },
  });
}

/** The application's counters and histograms, registered on the given registries. */
function createInstruments(registers: Registry[]) {
  const http = new Histogram({
    name: 'redshift_sso_http_request_duration_seconds',
    help: 'HTTP requests by method, Express route pattern and status, with their duration',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const logins = new Counter({
    name: 'redshift_sso_logins_total',
    help: 'SAML sign-ins by IdP connection and outcome (ok, refused, error)',
    labelNames: ['idp', 'outcome'] as const,
    registers,
  });
  const refusals = new Counter({
    name: 'redshift_sso_saml_refusals_total',
    help: 'refused SAML sign-ins by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const dbLogins = new Counter({
    name: 'redshift_sso_db_logins_total',
    help: 'database credentials issued, by cluster id',
    labelNames: ['cluster'] as const,
    registers,
  });
  const aws = new Histogram({
    name: 'redshift_sso_aws_call_duration_seconds',
    help: 'AWS API calls by operation and outcome (ok or the error code), with their duration',
    labelNames: ['api', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  return { http, logins, refusals, dbLogins, aws };
}

/**
 * Several processes' metrics as one exposition: series with the same name and labels are summed
 * (counters, histogram buckets, sums and counts); prom-client's own aggregation settings apply to
 * its process metrics, which the worker label keeps apart anyway.
 */
export function aggregateSnapshots(snapshots: MetricsSnapshot[]): Promise<string> {
  return AggregatorRegistry.aggregate(snapshots).metrics();
}
