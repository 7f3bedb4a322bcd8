// The command line of `npm run bench` (acs.bench.ts), read once when first imported: every flag
// with its environment default, and the checked numbers the in-process part uses. The flags are
// listed in bench/README.md ("Options").
import { parseArgs } from 'node:util';

export const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: process.env.BENCH_N ?? '50' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '150' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '12' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '1,8' },
    'log-level': { type: 'string', default: process.env.BENCH_LOG_LEVEL ?? 'info' },
    'fresh-db': { type: 'boolean', default: false },
    sides: { type: 'string', default: 'http,inproc,bare,bareIrt,floor' },
    phases: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'phase-n': { type: 'string', default: '500' },
    // The spawned service with one worker and one per core (cores.ts): on, off, or only that part.
    cores: { type: 'string', default: 'on' },
    'cores-n': { type: 'string', default: '60' },
    'cores-rounds': { type: 'string', default: '6' },
    'cores-concurrency': { type: 'string', default: '8' },
    logins: { type: 'string', default: '200' },
    'cores-store': { type: 'string', default: 'sqlite' },
    'cores-cpu-prof': { type: 'string' },
    // One instance direct, behind nginx, and two behind nginx on PostgreSQL (instances.ts).
    instances: { type: 'string', default: 'on' },
    'instances-n': { type: 'string', default: '60' },
    'instances-rounds': { type: 'string', default: '5' },
  },
  strict: true,
});

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer, got "${value}"`);
  return n;
}

export const N = positiveInt(args.n, '--n');
export const WARMUP = positiveInt(args.warmup, '--warmup');
export const ROUNDS = positiveInt(args.rounds, '--rounds');
export const CONCURRENCY = args.concurrency.split(',').map((c) => positiveInt(c, '--concurrency'));
export const PHASE_N = args.phases ? positiveInt(args['phase-n'], '--phase-n') : 0;
export const LOG_LEVEL = args['log-level'];
