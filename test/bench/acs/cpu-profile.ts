// --cpu-prof DIR: a V8 CPU profile (100 µs sampling) of the in-process part's measured rounds,
// taken through the inspector in this process and written as DIR/acs-<sides>-<time>.cpuprofile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { args } from './args.ts';
import type { Side } from './sides.ts';

/** --cpu-prof DIR: a V8 CPU profile of the measured rounds only (no signing, no warm-up). */
export async function startProfiler(): Promise<Session | undefined> {
  if (args['cpu-prof'] === undefined) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return session;
}

export async function stopProfiler(session: Session | undefined, sides: Set<Side>): Promise<void> {
  if (session === undefined || args['cpu-prof'] === undefined) return;
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  mkdirSync(args['cpu-prof'], { recursive: true });
  const file = join(args['cpu-prof'], `acs-${[...sides].join('+')}-${Date.now()}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`CPU profile of the measured rounds: ${file}`);
}
