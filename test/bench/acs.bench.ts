// ACS throughput: the service's assertion consumer path against bare node-saml, on the same
// pre-signed responses, in one process. Prints responses/s for each side and their ratio; with
// --phases, where the service's time goes. Figures and flags are explained in bench/README.md.
// This entry point checks the flags and runs the parts in turn: the in-process part (acs/), the
// every-core part (cores.ts) and one instance against two behind nginx (instances.ts).
import { args, LOG_LEVEL, positiveInt, WARMUP } from './acs/args.ts';
import { inProcessBench } from './acs/in-process.ts';
import { coresBench } from './cores.ts';
import { instancesBench } from './instances.ts';

async function main(): Promise<void> {
  if (!['on', 'off', 'only'].includes(args.cores)) throw new Error('--cores: expected on, off or only');
  if (!['on', 'off', 'only'].includes(args.instances)) throw new Error('--instances: expected on, off or only');
  if (!['sqlite', 'postgres'].includes(args['cores-store']))
    throw new Error('--cores-store: expected sqlite or postgres');
  // The spawned services say they listen in an info line: those parts log at info at least.
  const spawnedLogLevel = ['silent', 'fatal', 'error', 'warn'].includes(LOG_LEVEL) ? 'info' : LOG_LEVEL;
  if (args.instances === 'only') return instances(spawnedLogLevel);
  if (args.cores !== 'only') await inProcessBench();
  if (args.cores !== 'off') await cores(spawnedLogLevel);
  if (args.instances === 'on' && args.cores !== 'only') await instances(spawnedLogLevel);
}

async function instances(logLevel: string): Promise<void> {
  const started = process.hrtime.bigint();
  await instancesBench({
    n: positiveInt(args['instances-n'], '--instances-n'),
    rounds: positiveInt(args['instances-rounds'], '--instances-rounds'),
    warmup: Math.min(WARMUP, 100),
    concurrency: positiveInt(args['cores-concurrency'], '--cores-concurrency'),
    logLevel,
  });
  console.log(`\nrun time of the instances part ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

async function cores(logLevel: string): Promise<void> {
  const started = process.hrtime.bigint();
  await coresBench({
    n: positiveInt(args['cores-n'], '--cores-n'),
    rounds: positiveInt(args['cores-rounds'], '--cores-rounds'),
    warmup: Math.min(WARMUP, 100),
    concurrency: positiveInt(args['cores-concurrency'], '--cores-concurrency'),
    logins: positiveInt(args.logins, '--logins'),
    logLevel,
    store: args['cores-store'] as 'sqlite' | 'postgres',
    cpuProfDir: args['cores-cpu-prof'],
  });
  console.log(`\nrun time of the every-core part ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
