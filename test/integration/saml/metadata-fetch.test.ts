// Metadata by URL: what may be fetched, and how a hostile or broken server is refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchMetadata, MetadataFetchError, type MetadataFetchOptions } from '../../../src/saml/metadata-fetch.ts';
import { OutboundProxy } from '../../../src/outbound/proxy-route.ts';

const METADATA = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>';
const defaults: MetadataFetchOptions = {
  timeoutMs: 1000,
  maxBytes: 10_000,
  allowHttpLoopback: true,
  allowPrivateAddresses: false,
};

/** Listens on a free loopback port; returns the server's base URL. */
async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and every connection still open to it. */
function closeNow(server: Server): void {
  server.closeAllConnections();
  server.close();
}

describe('fetchMetadata', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/metadata') res.end(METADATA);
      else if (req.url === '/huge') res.end('x'.repeat(50_000));
      else if (req.url === '/huge-chunked') {
        res.write('x'.repeat(8_000));
        res.write('x'.repeat(8_000));
        res.end();
      } else if (req.url === '/slow') setTimeout(() => res.end(METADATA), 5_000).unref();
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    base = await listenOnLoopback(server);
  });
  after(() => closeNow(server));

  it('fetches plain http on loopback when allowed', async () => {
    assert.equal(await fetchMetadata(`${base}/metadata`, defaults), METADATA);
  });

  const refusals: Array<[string, () => string, Partial<MetadataFetchOptions>, RegExp]> = [
    ['plain http when not allowed', () => `${base}/metadata`, { allowHttpLoopback: false }, /must use https/],
    ['plain http to a non-loopback address', () => 'http://169.254.169.254/latest/meta-data', {}, /non-loopback/],
    [
      'https to the cloud metadata service',
      () => 'https://169.254.169.254/latest/meta-data',
      {},
      /169\.254\.169\.254.*refused/,
    ],
    ['https to a loopback IP literal', () => 'https://127.0.0.1:1/metadata', {}, /127\.0\.0\.1.*refused/],
    [
      'https to a host name that resolves to loopback',
      () => 'https://localhost:1/metadata',
      {},
      /localhost resolves to .*refused/,
    ],
    [
      'https to IPv4-compatible loopback',
      () => 'https://[::127.0.0.1]:1/metadata',
      {},
      /::7f00:1 is not a global unicast address.*refused/,
    ],
    ['https to site-local IPv6', () => 'https://[fec0::1]:1/metadata', {}, /fec0::1 is not a global unicast/],
    [
      'https to 6to4 wrapping loopback',
      () => 'https://[2002:7f00:1::]:1/metadata',
      {},
      /2002:7f00:1:: is not a global unicast/,
    ],
    [
      'https to NAT64 wrapping the metadata service',
      () => 'https://[64:ff9b::169.254.169.254]:1/metadata',
      {},
      /not a global unicast/,
    ],
    [
      'https to loopback spelled as one decimal number',
      () => 'https://2130706433:1/metadata',
      {},
      /127\.0\.0\.1 is not a global unicast/,
    ],
    ['https to a documentation address', () => 'https://[2001:db8::1]:1/metadata', {}, /not a global unicast/],
    ['a body over the cap (Content-Length)', () => `${base}/huge`, {}, /larger than 10000 bytes/],
    ['a body over the cap (chunked)', () => `${base}/huge-chunked`, {}, /larger than 10000 bytes/],
    ['a server slower than the timeout', () => `${base}/slow`, { timeoutMs: 300 }, /did not answer within 300 ms/],
    ['an HTTP error status', () => `${base}/missing`, {}, /HTTP 404/],
    ['ftp', () => 'ftp://example.com/metadata', {}, /must use https/],
  ];
  for (const [name, url, options, message] of refusals) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(
        fetchMetadata(url(), { ...defaults, ...options }),
        (err: unknown) => err instanceof MetadataFetchError && message.test(err.message),
      );
    });
  }

  it('allows private addresses over https only when configured (then TLS decides)', async () => {
    await assert.rejects(
      fetchMetadata('https://127.0.0.1:1/metadata', { ...defaults, allowPrivateAddresses: true }),
      (err: unknown) => err instanceof MetadataFetchError && /could not be fetched/.test(err.message),
    );
  });
});

describe('fetchMetadata through an outbound proxy that refuses the tunnel', () => {
  let proxy: Server;
  let proxyUrl: string;
  const connects: string[] = [];
  before(async () => {
    proxy = createServer((_req, res) => res.end());
    proxy.on('connect', (req, socket) => {
      connects.push(req.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
    });
    proxyUrl = await listenOnLoopback(proxy);
  });
  after(() => closeNow(proxy));

  it("says the proxy refused, rather than blaming the metadata URL's answer", async () => {
    const options = { ...defaults, allowPrivateAddresses: true, proxy: new OutboundProxy({ httpsUrl: proxyUrl }) };
    await assert.rejects(
      fetchMetadata('https://127.0.0.1:1/metadata', options),
      (err: unknown) =>
        err instanceof MetadataFetchError && /outbound proxy refused the connection \(HTTP 403\)/.test(err.message),
    );
    assert.deepEqual(connects, ['127.0.0.1:1']);
  });
});
