// The service as started in production (`src/main.ts`, a configuration file, a SQLite store file)
// with one worker and with one per core, against bare node-saml on one core, on the same kind of
// pre-signed responses: ACS throughput, event-loop lag and /healthz latency while the ACS is
// saturated, and the full login (ACS -> credentials) through the AWS emulator. See README.md.
// This file starts and stops the four copies and the stand-ins; the parts are in cores/.
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { fixtureIdp, ServiceHome } from '../support/spawn-service.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';
import { signSamples } from './cores/client.ts';
import { spawn, type Spawned, type SpawnOptions } from './cores/copies.ts';
import { fullLogin } from './cores/full-login.ts';
import { printCores } from './cores/print.ts';
import { instantSts } from './cores/recorded-sts.ts';
import { measureCores, sideLabels } from './cores/rounds.ts';

export interface CoresOptions {
  n: number;
  rounds: number;
  warmup: number;
  concurrency: number;
  logins: number;
  logLevel: string;
  /** sqlite (a file per copy) or postgres (a fresh database per copy on the machine's server, dropped after). */
  store: 'sqlite' | 'postgres';
  /** When set, each spawned process writes a V8 CPU profile here on exit (`--cpu-prof`). */
  cpuProfDir?: string;
}

export async function coresBench(options: CoresOptions): Promise<void> {
  const cores = availableParallelism();
  const home = ServiceHome.create('bench-cores');
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const emulator = await fixtureIdp.emulator({
    clusters: [{ clusterIdentifier: 'bench-cluster', host: 'warehouse.example.internal', port: 5439 }],
  });
  const spawned: Spawned[] = [];
  const databases: TestDatabase[] = [];
  let sts: http.Server | undefined;
  try {
    sts = await instantSts(emulator);
    const stsUrl = `http://127.0.0.1:${(sts.address() as { port: number }).port}`;
    console.log(
      `\n== Every core: src/main.ts spawned (config file, ${options.store} store, log level ${options.logLevel} to a pipe), ${cores} core(s) ==`,
    );
    const storeUrl = async (name: string) => {
      if (options.store === 'sqlite') return home.sqliteUrl(name);
      const database = await createTestDatabase(`redshift_sso_bench_${name}`);
      databases.push(database);
      return database.url;
    };
    const o = async (name: string): Promise<SpawnOptions> => ({
      logLevel: options.logLevel,
      storeUrl: await storeUrl(name),
      cpuProfDir: options.cpuProfDir,
    });
    // Every database first: a spawn that fails while another database is still being created
    // would otherwise reject before Promise.all listens, and end the process without the clean-up.
    const [oOne, oLoop, oAll, oFull] = [await o('one'), await o('loop'), await o('all'), await o('full')];
    const [one, loop, all, full] = await Promise.all([
      spawn(home, 'one', 1, { sts: stsUrl, redshift: emulator.url }, oOne),
      spawn(home, 'loop', 1, { sts: stsUrl, redshift: emulator.url }, { ...oLoop, validationThreads: 0 }),
      spawn(home, 'all', cores, { sts: stsUrl, redshift: emulator.url }, oAll),
      spawn(home, 'full', 1, { sts: emulator.url, redshift: emulator.url }, oFull),
    ]);
    spawned.push(one, loop, all, full);
    const perService = options.warmup + options.rounds * options.n;
    const [oneSamples, loopSamples, allSamples] = [
      await signSamples(one, perService, agent),
      await signSamples(loop, perService, agent),
      await signSamples(all, perService, agent),
    ];
    const tallies = await measureCores(
      {
        one: { spawned: one, samples: oneSamples },
        loop: { spawned: loop, samples: loopSamples },
        all: { spawned: all, samples: allSamples },
      },
      options,
      agent,
    );
    printCores(tallies, sideLabels(cores), options);
    await fullLogin(full, options.logins, agent);
  } catch (err) {
    // What the services said last: a crash or a refused request explains a failed batch.
    for (const s of spawned)
      console.error(`--- ${s.workers} worker(s), last output:\n${s.service.output().slice(-3000)}`);
    throw err;
  } finally {
    agent.destroy();
    await home.close();
    await new Promise((resolve) => (sts === undefined ? resolve(undefined) : sts.close(resolve)));
    await emulator.close();
    await Promise.allSettled(databases.map((d) => d.drop()));
  }
}
