// Draining a real HTTP listener: requests in flight finish, requests that still arrive are served
// with Connection: close, idle keep-alive connections are closed, and the bound cuts what is left.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, Agent, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainer } from '../../src/web/graceful-shutdown.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** `/slow` waits until released; everything else answers at once. Attach the drainer before requests. */
async function startServer(): Promise<{
  server: Server;
  port: number;
  slowArrived: Promise<void>;
  releaseSlow: () => void;
}> {
  let arrived = () => {};
  let releaseSlow = () => {};
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (releaseSlow = resolve));
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      arrived();
      void released.then(() => res.end('slow done'));
      return;
    }
    res.end('fast');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, slowArrived, releaseSlow };
}

function get(port: number, path: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('draining the listener', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('lets the request in flight finish and serves late requests with Connection: close', async () => {
    const s = await startServer();
    server = s.server;
    const connections = drainer(s.server);
    const keepAlive = new Agent({ keepAlive: true });
    const slow = get(s.port, '/slow', keepAlive);
    await s.slowArrived;
    const drained = connections.drain(60_000);

    const late = await get(s.port, '/fast');
    assert.equal(late.status, 200, 'the listener still answers while a request is in flight');
    assert.equal(late.headers.connection, 'close');
    assert.equal(s.server.listening, true);

    s.releaseSlow();
    const answer = await slow;
    assert.equal(answer.body, 'slow done');
    assert.equal(answer.headers.connection, 'close', 'the keep-alive connection is not kept');
    assert.equal(await drained, 'drained');
    assert.equal(s.server.listening, false);
    keepAlive.destroy();
  });

  it('closes idle keep-alive connections and the listener at once when nothing is in flight', async () => {
    const s = await startServer();
    server = s.server;
    const connections = drainer(s.server);
    const keepAlive = new Agent({ keepAlive: true });
    const first = await get(s.port, '/fast', keepAlive);
    assert.equal(first.headers.connection, 'keep-alive');
    const sockets = Object.values(keepAlive.freeSockets).flat();
    assert.equal(sockets.length, 1, 'one idle keep-alive connection');
    // The agent unrefs idle sockets; this one must keep the test alive until the server closes it.
    sockets[0]?.ref();
    const closed = new Promise<void>((resolve) => sockets[0]?.once('close', () => resolve()));

    assert.equal(await connections.drain(60_000), 'drained');
    await closed;
    await assert.rejects(get(s.port, '/fast'), /ECONNREFUSED/);
    keepAlive.destroy();
  });

  /** A server with its drainer and a /slow request it has received and not answered yet. */
  async function slowRequestInFlight() {
    const s = await startServer();
    server = s.server;
    const connections = drainer(s.server);
    const slow = get(s.port, '/slow');
    await s.slowArrived;
    return { s, connections, slow };
  }

  it('cuts the connections left when the bound passes', async () => {
    const { s, connections, slow } = await slowRequestInFlight();
    assert.equal(await connections.drain(50), 'timed out');
    await assert.rejects(slow, /socket hang up|ECONNRESET/);
    assert.equal(s.server.listening, false);
  });

  it('cuts every connection at once on a second signal', async () => {
    const { connections, slow } = await slowRequestInFlight();
    const drained = connections.drain(60_000);
    connections.cut();
    assert.equal(await drained, 'cut');
    await assert.rejects(slow, /socket hang up|ECONNRESET/);
  });
});
