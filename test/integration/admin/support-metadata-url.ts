// What the metadata-URL tests share: the IdP's metadata, a TLS server and a plain-http server on
// loopback serving it (and a huge, a slow and a redirecting answer), an admin signed in on an app with
// given fetch settings, the form's preview, a refusal's checks, and a DNS name rebound to 169.254.169.254.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { createServer as createHttpServer } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { generateCert, idpMetadataXml, type GeneratedCert } from '../../support/admin-certs.ts';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { fileIdpEntry } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { elementText } from '../../support/http-flow.ts';
import { fixtureKeys } from '../../support/sign-response.ts';

export const ENTITY_ID = 'https://idp.metadata.test/entity';
/** The configuration-file IdP the admin signs in through. */
const ADMIN_IDP = 'admin-idp';
export const SSO_URL = 'https://idp.metadata.test/sso';
const GOOD_METADATA = idpMetadataXml(ENTITY_ID, SSO_URL, [
  { certificate: fixtureKeys.idp.certificate, use: 'signing' },
]);
export const REBOUND_HOST = 'metadata.rebound.test';

export interface FormResult {
  status: number;
  html: string;
  error: string | undefined;
}

export interface MetadataServers {
  /** The TLS server's self-signed certificate, for localhost. */
  tlsCert: GeneratedCert;
  tlsPort: number;
  /** http://127.0.0.1:port: /m, /huge, /huge-chunked, /slow (3 s), /redirect (to 169.254.169.254). */
  httpBase: string;
  close(): void;
}

export async function startMetadataServers(): Promise<MetadataServers> {
  const tlsCert = await generateCert('localhost', { tlsHost: true });
  const tlsServer = https.createServer({ key: tlsCert.privateKey, cert: tlsCert.certificate }, (_req, res) =>
    res.end(GOOD_METADATA),
  );
  const httpServer = createHttpServer((req, res) => {
    if (req.url === '/m') res.end(GOOD_METADATA);
    else if (req.url === '/huge') res.end(GOOD_METADATA + ' '.repeat(5_000));
    else if (req.url === '/huge-chunked') {
      res.write(GOOD_METADATA);
      res.write(' '.repeat(3_000));
      res.end();
    } else if (req.url === '/slow') setTimeout(() => res.end(GOOD_METADATA), 3_000).unref();
    else if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await Promise.all([
    new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve)),
  ]);
  return {
    tlsCert,
    tlsPort: (tlsServer.address() as AddressInfo).port,
    httpBase: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    close() {
      for (const server of [tlsServer, httpServer]) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}

export async function adminOn(metadataFetch: Record<string, unknown>): Promise<{ h: AppHarness; admin: CookieClient }> {
  const h = await startAppHarness({ admin: true, metadataFetch, idps: [fileIdpEntry(ADMIN_IDP)] });
  const admin = h.newClient();
  await h.signInAsAdmin(admin, ADMIN_IDP);
  return { h, admin };
}

export async function submit(h: AppHarness, admin: CookieClient, fields: Record<string, string>): Promise<FormResult> {
  const res = await admin.postForm('/admin/idps', { _csrf: await h.csrf(admin), action: 'preview', ...fields });
  const html = await res.text();
  return { status: res.status, html, error: elementText(html, 'form-error') };
}

export function assertRefused(result: FormResult, code: string, ...words: RegExp[]): void {
  assert.equal(result.status, 400, result.error ?? result.html.slice(0, 500));
  assert.ok(result.error !== undefined, 'the form shows an error');
  assert.ok(result.error.includes(`(${code})`), `${code} in: ${result.error}`);
  for (const word of words) assert.match(result.error, word);
  assert.ok(!result.html.includes('id="preview"'), 'no preview, no Save button');
}

/** Runs `fn` while REBOUND_HOST resolves to the cloud metadata address (every other name as usual). */
export async function withReboundDns<T>(fn: () => Promise<T>): Promise<T> {
  const original = dns.lookup;
  const fake = ((hostname: string, options: unknown, callback: unknown) => {
    if (hostname !== REBOUND_HOST) return (original as (...args: unknown[]) => unknown)(hostname, options, callback);
    const cb = (typeof options === 'function' ? options : callback) as (
      err: null,
      address: unknown,
      family?: number,
    ) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    process.nextTick(() =>
      all ? cb(null, [{ address: '169.254.169.254', family: 4 }]) : cb(null, '169.254.169.254', 4),
    );
    return undefined;
  }) as unknown as typeof dns.lookup;
  dns.lookup = fake;
  syncBuiltinESMExports();
  try {
    return await fn();
  } finally {
    dns.lookup = original;
    syncBuiltinESMExports();
  }
}
