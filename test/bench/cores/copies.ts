// The copies of the service the every-core and instances parts spawn: `src/main.ts` with a
// configuration file (production mode, the fixture IdP as `bench`, one cluster, rate limits out of
// reach), a metrics listener, and STS and Redshift at the URLs given.
import { fixtureIdp, freePort, type ServiceHome, type SpawnedService } from '../../support/spawn-service.ts';
import { testSessionSecret } from '../../support/test-secret.ts';

export const IDP = 'bench';

export interface Spawned {
  service: SpawnedService;
  workers: number;
  metricsPort: number;
}

export interface SpawnOptions {
  logLevel: string;
  storeUrl: string;
  cpuProfDir?: string;
  /** server.validationThreads; unset: the configuration's default. */
  validationThreads?: number;
}

export async function spawn(
  home: ServiceHome,
  name: string,
  workers: number,
  aws: { sts: string; redshift: string },
  o: SpawnOptions,
): Promise<Spawned> {
  const metricsPort = await freePort();
  const service = await home.spawn({
    file: `${name}.yml`,
    config: {
      ...benchConfig(o.logLevel, o.storeUrl),
      server: {
        sessionSecret: testSessionSecret(),
        workers,
        ...(o.validationThreads === undefined ? {} : { validationThreads: o.validationThreads }),
        rateLimit: BENCH_RATE_LIMIT,
      },
      metrics: { port: metricsPort },
    },
    awsEmulator: { url: aws.redshift, sts: aws.sts, region: 'us-east-1' },
    timeoutMs: 60_000,
    // Each process (workers included) writes its own profile when it exits.
    nodeFlags:
      o.cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`, '--cpu-prof-interval=500'],
    allWorkers: workers > 1,
  });
  return { service, workers, metricsPort };
}

/** Rate limits out of reach of one client IP that sends everything (the limiters still run). */
export const BENCH_RATE_LIMIT = { login: 1000000000, acs: 1000000000, api: 1000000000 };

/** The bench configuration's fixed part: production mode, the fixture IdP as `bench`, one cluster. */
export function benchConfig(logLevel: string, storeUrl: string) {
  return {
    mode: 'production',
    log: { level: logLevel },
    idps: [fixtureIdp.entry({ id: IDP, name: undefined })],
    clusters: [
      fixtureIdp.cluster({
        id: 'analytics',
        clusterIdentifier: 'bench-cluster',
        region: 'us-east-1',
        database: undefined,
      }),
    ],
    store: { url: storeUrl },
  };
}
