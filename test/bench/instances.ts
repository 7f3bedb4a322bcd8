// One instance vs two behind nginx, on the same machine: two spawned services (`src/main.ts`, one
// worker each) on one fresh PostgreSQL database, and Debian nginx on loopback (test/support/nginx.ts)
// round-robin over them. Three sides take turns on the same kind of pre-signed responses: instance A
// directly, A behind nginx (one upstream), and A and B behind nginx. Both instances share this
// machine's cores with nginx, PostgreSQL and the client, so the figure is the cost of the proxy and
// the shared store, not scale-out. See README.md.
import http from 'node:http';
import { startNginx, type Nginx } from '../support/nginx.ts';
import { fixtureIdp, freePort, ServiceHome } from '../support/spawn-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';
import { testSessionSecret } from '../support/test-secret.ts';
import { postAcs, runBatch, signSamplesAt, type Sample } from './cores/client.ts';
import { BENCH_RATE_LIMIT, benchConfig, IDP } from './cores/copies.ts';
import { instantSts } from './cores/recorded-sts.ts';

export interface InstancesOptions {
  n: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  logLevel: string;
}

type SideName = 'direct' | 'nginx1' | 'nginx2';
const LABELS: Record<SideName, string> = {
  direct: 'one instance, direct',
  nginx1: 'one instance behind nginx',
  nginx2: 'two instances behind nginx (round robin)',
};

export async function instancesBench(options: InstancesOptions): Promise<void> {
  const home = ServiceHome.create('bench-instances');
  const emulator = await fixtureIdp.emulator({
    clusters: [{ clusterIdentifier: 'bench-cluster', host: 'warehouse.example.internal', port: 5439 }],
  });
  let database: TestDatabase | undefined;
  let sts: http.Server | undefined;
  const proxies: Nginx[] = [];
  const agents = {
    direct: new http.Agent({ keepAlive: true }),
    nginx1: new http.Agent({ keepAlive: true }),
    nginx2: new http.Agent({ keepAlive: true }),
  };
  try {
    database = await createTestDatabase('redshift_sso_bench_instances');
    sts = await instantSts(emulator);
    const nginxPort = await freePort();
    const baseUrl = `http://127.0.0.1:${nginxPort}`;
    const config = home.writeConfig(
      {
        ...benchConfig(options.logLevel, database.url),
        server: {
          baseUrl,
          trustProxy: 'loopback',
          sessionSecret: testSessionSecret(),
          workers: 1,
          rateLimit: BENCH_RATE_LIMIT,
        },
      },
      'instances.yml',
    );
    const stsUrl = `http://127.0.0.1:${(sts.address() as { port: number }).port}`;
    const spawn = () =>
      home.spawn({
        config,
        baseUrl,
        awsEmulator: { url: emulator.url, sts: stsUrl, region: 'us-east-1' },
        timeoutMs: 60_000,
      });
    // One after the other: both would run the migrations (PostgreSQL's advisory lock serialises them anyway).
    const [a, b] = [await spawn(), await spawn()];
    proxies.push(await startNginx([a.port]), await startNginx([a.port, b.port], nginxPort));
    const [one, two] = proxies as [Nginx, Nginx];
    const ports: Record<SideName, number> = { direct: a.port, nginx1: one.port, nginx2: two.port };
    console.log(
      `\n== One instance vs two behind nginx: src/main.ts x2 (1 worker each), one PostgreSQL database, nginx on loopback ==`,
    );

    // Every AuthnRequest is started on A: the request-ID cache is the shared database, so any side can consume it.
    const perSide = options.warmup + options.rounds * options.n;
    const acsUrl = `${baseUrl}/saml/acs/${IDP}`;
    const samples: Record<SideName, Sample[]> = {
      direct: await signSamplesAt(a.port, acsUrl, perSide, agents.direct),
      nginx1: await signSamplesAt(a.port, acsUrl, perSide, agents.direct),
      nginx2: await signSamplesAt(a.port, acsUrl, perSide, agents.direct),
    };
    const batch = (side: SideName, items: Sample[]) =>
      runBatch(items, options.concurrency, (sample) => postAcs(ports[side], sample, agents[side]));
    const order: SideName[] = ['direct', 'nginx1', 'nginx2'];
    for (const side of order) await batch(side, samples[side].slice(0, options.warmup));
    const seconds: Record<SideName, number> = { direct: 0, nginx1: 0, nginx2: 0 };
    for (let round = 0; round < options.rounds; round++) {
      const from = options.warmup + round * options.n;
      for (let i = 0; i < order.length; i++) {
        const side = order[(i + round) % order.length] as SideName;
        seconds[side] += await batch(side, samples[side].slice(from, from + options.n));
      }
    }
    const upstreams = new Set(two.accessLog().map((line) => line.split(' ')[3]));
    if (upstreams.size !== 2)
      throw new Error(`nginx sent the two-instance side to ${[...upstreams].join(', ')}: not both instances`);
    const rate = (side: SideName) => (options.rounds * options.n) / seconds[side];
    console.log(
      `ACS over HTTP at concurrency ${options.concurrency}, ${options.rounds} rounds of ${options.n} per side, order rotating (client in this process)`,
    );
    for (const side of order)
      console.log(`  ${LABELS[side].padEnd(44)} ${rate(side).toFixed(0).padStart(6)} responses/s`);
    console.log(`ratio behind nginx / direct (one instance): ${(rate('nginx1') / rate('direct')).toFixed(2)}`);
    console.log(
      `ratio two instances / one instance (both behind nginx): ${(rate('nginx2') / rate('nginx1')).toFixed(2)}`,
    );
    console.log(
      `ratio two instances behind nginx / one instance direct: ${(rate('nginx2') / rate('direct')).toFixed(2)}`,
    );
  } finally {
    for (const agent of Object.values(agents)) agent.destroy();
    await Promise.allSettled(proxies.map((p) => p.stop()));
    await home.close();
    await new Promise((resolve) => (sts === undefined ? resolve(undefined) : sts.close(resolve)));
    await emulator.close();
    await database?.drop();
  }
}
