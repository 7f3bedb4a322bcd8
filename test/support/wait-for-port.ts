// Starts a helper daemon the tests need on loopback (a proxy, a load balancer) and waits until it
// accepts TCP connections; on failure it stops the daemon and removes its folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';

export interface LoopbackDaemon {
  child: ChildProcess;
  /** What it printed on stdout and stderr so far. */
  output: () => string;
  exited: Promise<void>;
}

/**
 * Spawns `command`, then resolves once `port` accepts connections. `errors` adds to what a failure
 * reports (e.g. the daemon's own error log); `dir` is removed when it fails to start.
 */
export async function startLoopbackDaemon(
  what: string,
  command: string,
  args: string[],
  options: { port: number; dir: string; errors?: (output: string) => string },
): Promise<LoopbackDaemon> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const report = () => (options.errors === undefined ? printed : options.errors(printed));
  try {
    await waitForPort(what, options.port, exited, report);
  } catch (err) {
    child.kill('SIGTERM');
    rmSync(options.dir, { recursive: true, force: true });
    throw err;
  }
  return { child, output: () => printed, exited };
}

/** Resolves once the port accepts connections; rejects if the process exits first or never listens. */
export async function waitForPort(
  what: string,
  port: number,
  exited: Promise<void>,
  output: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 200; attempt++) {
    if (gone) throw new Error(`${what} exited before listening:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not listen on ${port}:\n${output()}`);
}
