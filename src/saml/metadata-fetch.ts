// Fetches IdP metadata by URL without becoming an SSRF tool: HTTPS only (plain HTTP only to
// loopback, and only when allowed), a timeout and a size cap, and the addresses a host name
// resolves to are checked when the connection is made (so DNS cannot point us at 127.0.0.1 or
// the cloud metadata service, 169.254.169.254) unless configuration allows private addresses.
// Through an outbound proxy the same check runs on the target before the request is sent (the
// proxy's own address is not checked: it is the operator's, typically private).
// Pattern: node-oidc-provider lib/helpers/fetch_request.js.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isGlobalUnicast, isLoopback } from './address-policy.ts';
import type { OutboundProxy } from '../outbound/proxy-route.ts';
import { proxyAgent } from '../outbound/routing-agent.ts';

export interface MetadataFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Plain http:// to a loopback address (tests, a sidecar IdP). */
  allowHttpLoopback: boolean;
  /** Private, loopback, link-local and metadata-service addresses. */
  allowPrivateAddresses: boolean;
  /** The outbound proxy and NO_PROXY; direct connections without one. */
  proxy?: OutboundProxy;
}

export class MetadataFetchError extends Error {}

/**
 * May a fetch connect to this address? Plain http only to loopback; https to global unicast unless private addresses
 * are allowed.
 */
export function addressAllowed(
  address: string,
  plainHttp: boolean,
  options: Pick<MetadataFetchOptions, 'allowPrivateAddresses'>,
): boolean {
  if (plainHttp) return isLoopback(address);
  return options.allowPrivateAddresses || isGlobalUnicast(address);
}

export async function fetchMetadata(url: string, options: MetadataFetchOptions): Promise<string> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new MetadataFetchError(`metadata URL is not a URL: ${url.slice(0, 200)}`);
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && options.allowHttpLoopback)) {
    throw new MetadataFetchError(`metadata URL must use https (${target.protocol} refused)`);
  }
  const plainHttp = target.protocol === 'http:';
  // An IP literal never goes through `lookup` below, so it is checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && !addressAllowed(literal, plainHttp, options)) {
    throw new MetadataFetchError(`metadata address ${literal} is ${refusedKind(plainHttp)}; refused`);
  }
  const proxy = options.proxy?.proxyFor(target);
  if (proxy === undefined) return download(target, { lookup: checkedLookup(plainHttp, options) }, options);
  // Through a proxy the target's name is resolved and checked here first, and a refused one is
  // never sent. The tunnel still names the host (proxies often allow destinations by name), so
  // the proxy resolves it again for itself.
  const precheck = isIP(literal) === 0 ? () => checkedAddresses(literal, plainHttp, options) : undefined;
  return download(target, { agent: proxyAgent(proxy, !plainHttp), precheck }, options);
}

interface Route {
  /** Direct connections: resolves and checks every address the socket may connect to. */
  lookup?: LookupFunction;
  /** Through the outbound proxy, after `precheck`. */
  agent?: http.Agent;
  precheck?: () => Promise<unknown>;
}

/** GETs the target within the timeout (the precheck included) and the size cap. */
function download(target: URL, route: Route, options: MetadataFetchOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest | undefined;
    let settled = false;
    // Destroying a request with an error after its response began leaves that error unhandled
    // on the socket; so settle first, then destroy without an error.
    const fail = (err: MetadataFetchError): void => {
      settled = true;
      reject(err);
      if (req !== undefined) req.destroy();
      else route.agent?.destroy();
    };
    // Whole-request deadline: the socket `timeout` only covers idle sockets.
    const deadline = setTimeout(
      () => fail(new MetadataFetchError(`metadata URL did not answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const precheck = route.precheck?.() ?? Promise.resolve();
    precheck.then(
      () => {
        if (settled) return;
        req = send(
          target,
          route,
          options,
          (xml) => {
            settled = true;
            resolve(xml);
          },
          fail,
        );
        req.on('close', () => {
          clearTimeout(deadline);
          route.agent?.destroy();
        });
      },
      (err: Error) => {
        clearTimeout(deadline);
        fail(
          err instanceof MetadataFetchError
            ? err
            : new MetadataFetchError(`metadata URL could not be fetched: ${err.message}`),
        );
      },
    );
  });
}

function send(
  target: URL,
  route: Route,
  options: MetadataFetchOptions,
  done: (xml: string) => void,
  fail: (err: MetadataFetchError) => void,
): http.ClientRequest {
  const client = target.protocol === 'http:' ? http : https;
  const via = route.agent === undefined ? { lookup: route.lookup } : { agent: route.agent };
  const req = client.get(
    target,
    {
      ...via,
      timeout: options.timeoutMs,
      headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' },
    },
    (res) => {
      res.on('error', () => fail(new MetadataFetchError('metadata download was interrupted')));
      if ((res.statusCode ?? 0) !== 200) {
        res.resume();
        fail(new MetadataFetchError(`metadata URL answered HTTP ${res.statusCode ?? '?'}`));
        return;
      }
      if (Number(res.headers['content-length'] ?? 0) > options.maxBytes) {
        fail(new MetadataFetchError(`metadata is larger than ${options.maxBytes} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) fail(new MetadataFetchError(`metadata is larger than ${options.maxBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    },
  );
  req.on('timeout', () => fail(new MetadataFetchError(`metadata URL did not answer within ${options.timeoutMs} ms`)));
  req.on('error', (err) =>
    fail(
      err instanceof MetadataFetchError
        ? err
        : new MetadataFetchError(`metadata URL could not be fetched: ${err.message}`),
    ),
  );
  // A refused CONNECT would otherwise read as the metadata URL's own answer.
  req.on('proxyConnect', (answer: { statusCode?: number }) => {
    if (answer.statusCode !== undefined && answer.statusCode !== 200)
      fail(new MetadataFetchError(`the outbound proxy refused the connection (HTTP ${answer.statusCode})`));
  });
  return req;
}

/** A `lookup` for direct connections: every address the name resolves to must be allowed. */
function checkedLookup(plainHttp: boolean, options: MetadataFetchOptions): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    checkedAddresses(hostname, plainHttp, options, lookupOptions).then(
      (addresses) => {
        const first = addresses[0] as LookupAddress;
        if (lookupOptions.all === true) callback(null, addresses);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}

/**
 * Every address the name resolves to when all are allowed; a MetadataFetchError when one is not, or the resolver's
 * error.
 */
function checkedAddresses(
  hostname: string,
  plainHttp: boolean,
  options: MetadataFetchOptions,
  lookupOptions: LookupOptions = {},
): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
      if (err !== null) reject(err);
      else if (addresses.length === 0) reject(new MetadataFetchError(`metadata host ${hostname} has no address`));
      else {
        const refused = addresses.find((a) => !addressAllowed(a.address, plainHttp, options));
        if (refused === undefined) resolve(addresses);
        else
          reject(
            new MetadataFetchError(
              `metadata host ${hostname} resolves to ${refused.address}, ${refusedKind(plainHttp)}; refused`,
            ),
          );
      }
    });
  });
}

function refusedKind(plainHttp: boolean): string {
  return plainHttp
    ? 'a non-loopback address'
    : 'not a global unicast address (private, loopback, link-local or reserved)';
}
