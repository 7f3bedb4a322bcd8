// Waits until a helper process the tests started (a proxy) accepts TCP connections on loopback.
import { connect } from 'node:net';

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
