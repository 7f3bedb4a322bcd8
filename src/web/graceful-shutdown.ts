// Draining the HTTP listener on shutdown. While requests are in flight the listener stays open, so
// the load balancer's probes still reach /readyz (503 by then) and a request it sends before
// noticing is served rather than refused; every answer carries `Connection: close`, idle keep-alive
// connections are closed, and the listener closes once nothing is in flight. Past the bound the
// remaining connections are cut.
import type { Server, ServerResponse } from 'node:http';

export type DrainResult = 'drained' | 'timed out' | 'cut';

export interface Drainer {
  readonly draining: boolean;
  /** Resolves when every connection is closed, or when the bound cuts the ones left. */
  drain(timeoutMs: number): Promise<DrainResult>;
  /** Cuts every connection now (a second signal). */
  cut(): void;
}

export function drainer(server: Server): Drainer {
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  let finish: ((result: DrainResult) => void) | undefined;
  let listenerClosing = false;

  const closeListenerWhenIdle = () => {
    if (!draining || listenerClosing || inFlight.size > 0) return;
    listenerClosing = true;
    // server.close() stops accepting and closes the now idle keep-alive connections (Node >= 19).
    server.close(() => finish?.('drained'));
  };

  // First in line, so the header is set before the app's own listener can answer.
  server.prependListener('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      // After this tick the socket counts as idle, so server.close() can end it.
      if (draining) setImmediate(closeListenerWhenIdle);
    });
  });

  const cutAll = (result: DrainResult) => {
    server.closeAllConnections();
    if (!listenerClosing) {
      listenerClosing = true;
      server.close();
    }
    finish?.(result);
  };

  return {
    get draining() {
      return draining;
    },
    drain(timeoutMs) {
      if (draining) throw new Error('already draining');
      draining = true;
      return new Promise<DrainResult>((resolve) => {
        const bound = setTimeout(() => cutAll('timed out'), timeoutMs);
        finish = (result) => {
          clearTimeout(bound);
          finish = undefined;
          resolve(result);
        };
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        server.closeIdleConnections();
        closeListenerWhenIdle();
      });
    },
    cut: () => cutAll('cut'),
  };
}
