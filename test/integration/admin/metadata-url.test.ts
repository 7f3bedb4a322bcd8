// Adding an IdP through the admin form, by metadata URL and by pasted metadata: what may be
// fetched (HTTPS only; loopback, private and metadata-service addresses only when configuration
// allows, even behind a DNS name; plain http only to loopback when allowed), what a broken server
// gets (a size cap, a timeout), and which certificate sets are refused, each with a message that
// says why. A refused form keeps the admin's input and saves nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import dns from 'node:dns';
import { createServer as createHttpServer, type Server } from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo } from 'node:net';
import { expiredCert, generateCert, idpMetadataXml, type GeneratedCert } from '../../support/admin-certs.ts';
import { startAppHarness, type AppHarness } from '../../support/app-harness.ts';
import { fileIdpEntry } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { elementText, decodeHtml } from '../../support/http-flow.ts';
import { fixtureKeys } from '../../support/sign-response.ts';

const ENTITY_ID = 'https://idp.metadata.test/entity';
/** The configuration-file IdP the admin signs in through. */
const ADMIN_IDP = 'admin-idp';
const SSO_URL = 'https://idp.metadata.test/sso';
const GOOD_METADATA = idpMetadataXml(ENTITY_ID, SSO_URL, [
  { certificate: fixtureKeys.idp.certificate, use: 'signing' },
]);
const REBOUND_HOST = 'metadata.rebound.test';

interface FormResult {
  status: number;
  html: string;
  error: string | undefined;
}

describe('admin form: IdP metadata by URL and by paste', () => {
  let tlsCert: GeneratedCert;
  let weakCert: GeneratedCert;
  let oldCert: GeneratedCert;
  let soonCert: GeneratedCert;
  let tlsServer: Server;
  let httpServer: Server;
  let tlsPort: number;
  let httpBase: string;

  before(async () => {
    [tlsCert, weakCert, oldCert, soonCert] = await Promise.all([
      generateCert('localhost', { tlsHost: true }),
      generateCert('weak idp', { keySize: 1024 }),
      expiredCert('expired idp'),
      generateCert('soon idp', { notAfter: new Date(Date.now() + 10 * 86_400_000) }),
    ]);
    tlsServer = https.createServer({ key: tlsCert.privateKey, cert: tlsCert.certificate }, (_req, res) =>
      res.end(GOOD_METADATA),
    );
    httpServer = createHttpServer((req, res) => {
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
    tlsPort = (tlsServer.address() as AddressInfo).port;
    httpBase = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  });
  after(() => {
    for (const server of [tlsServer, httpServer]) {
      server.closeAllConnections();
      server.close();
    }
  });

  async function adminOn(metadataFetch: Record<string, unknown>): Promise<{ h: AppHarness; admin: CookieClient }> {
    const h = await startAppHarness({ admin: true, metadataFetch, idps: [fileIdpEntry(ADMIN_IDP)] });
    const admin = h.newClient();
    await h.signInAsAdmin(admin, ADMIN_IDP);
    return { h, admin };
  }

  async function submit(h: AppHarness, admin: CookieClient, fields: Record<string, string>): Promise<FormResult> {
    const res = await admin.postForm('/admin/idps', { _csrf: await h.csrf(admin), action: 'preview', ...fields });
    const html = await res.text();
    return { status: res.status, html, error: elementText(html, 'form-error') };
  }

  function assertRefused(result: FormResult, code: string, ...words: RegExp[]): void {
    assert.equal(result.status, 400, result.error ?? result.html.slice(0, 500));
    assert.ok(result.error !== undefined, 'the form shows an error');
    assert.ok(result.error.includes(`(${code})`), `${code} in: ${result.error}`);
    for (const word of words) assert.match(result.error, word);
    assert.ok(!result.html.includes('id="preview"'), 'no preview, no Save button');
  }

  describe('with the default fetch settings', () => {
    let h: AppHarness;
    let admin: CookieClient;
    before(async () => ({ h, admin } = await adminOn({})));
    after(() => h.close());

    const privateTargets: Array<[string, () => string, RegExp]> = [
      [
        'a host name that resolves to loopback (https://localhost)',
        () => `https://localhost:${tlsPort}/m`,
        /localhost resolves to/,
      ],
      [
        'the cloud metadata service (https://169.254.169.254)',
        () => 'https://169.254.169.254/latest',
        /169\.254\.169\.254/,
      ],
      ['a loopback IP literal', () => `https://127.0.0.1:${tlsPort}/m`, /127\.0\.0\.1/],
      [
        'a DNS name that resolves to 169.254.169.254',
        () => `https://${REBOUND_HOST}/latest`,
        /resolves to 169\.254\.169\.254/,
      ],
    ];
    for (const [name, url, detail] of privateTargets) {
      it(`refuses ${name}, saying it is private and refused`, async () => {
        const result = await withReboundDns(() => submit(h, admin, { id: 'by-url', metadataUrl: url() }));
        assertRefused(result, 'IDP_METADATA_INVALID', /refused/, /private/, detail);
        assert.ok(result.html.includes(`value="${url()}"`), 'the URL the admin typed is kept');
        assert.ok(result.html.includes('value="by-url"'), 'the id the admin typed is kept');
      });
    }

    it('refuses plain http when allowHttpLoopback is off', async () => {
      assertRefused(
        await submit(h, admin, { id: 'by-url', metadataUrl: `${httpBase}/m` }),
        'IDP_METADATA_INVALID',
        /must use https/,
      );
    });

    it('refuses metadata without a signing certificate (none at all, or encryption only)', async () => {
      const none = idpMetadataXml(ENTITY_ID, SSO_URL, []);
      assertRefused(
        await submit(h, admin, { id: 'pasted', metadataXml: none }),
        'IDP_METADATA_INVALID',
        /no signing certificate/,
      );
      const encryptionOnly = idpMetadataXml(ENTITY_ID, SSO_URL, [
        { certificate: fixtureKeys.idp.certificate, use: 'encryption' },
      ]);
      assertRefused(
        await submit(h, admin, { id: 'pasted', metadataXml: encryptionOnly }),
        'IDP_METADATA_INVALID',
        /no signing certificate/,
      );
    });

    it('refuses metadata whose only signing certificate has expired', async () => {
      const xml = idpMetadataXml(ENTITY_ID, SSO_URL, [{ certificate: oldCert.certificate, use: 'signing' }]);
      assertRefused(await submit(h, admin, { id: 'pasted', metadataXml: xml }), 'IDP_CERTIFICATES_REFUSED', /expired/);
    });

    it('refuses a 1024-bit RSA key, naming the certificate and the minimum', async () => {
      const xml = idpMetadataXml(ENTITY_ID, SSO_URL, [{ certificate: weakCert.certificate }]);
      const result = await submit(h, admin, { id: 'pasted', metadataXml: xml });
      assertRefused(result, 'IDP_CERTIFICATES_REFUSED', /1024-bit RSA/, /2048/);
      assert.ok(
        result.error?.includes(new X509Certificate(weakCert.certificate).fingerprint256),
        'names the certificate',
      );
      const explicit = await submit(h, admin, {
        id: 'explicit',
        entityId: ENTITY_ID,
        ssoUrl: SSO_URL,
        certs: weakCert.certificate,
      });
      assertRefused(explicit, 'IDP_CERTIFICATES_REFUSED', /1024-bit RSA/);
    });

    it('refuses weak or expired certificates added to an existing connection too', async () => {
      const xml = idpMetadataXml(ENTITY_ID, SSO_URL, [{ certificate: fixtureKeys.idp.certificate, use: 'signing' }]);
      assert.equal((await submit(h, admin, { id: 'rollme', metadataXml: xml, action: 'save' })).status, 303);
      const before = await h.service.store.listConnections('idp');
      for (const [cert, word] of [
        [weakCert, /1024-bit/],
        [oldCert, /expired/],
      ] as const) {
        const res = await admin.postForm(
          '/admin/idps/rollme/certs',
          { _csrf: await h.csrf(admin), certificate: cert.certificate },
          { accept: 'application/json' },
        );
        assert.equal(res.status, 400);
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'IDP_CERTIFICATES_REFUSED');
        assert.match(body.error.message, word);
      }
      assert.deepEqual(await h.service.store.listConnections('idp'), before, 'nothing changed');
    });

    it('accepts a set with one expired and one valid certificate, marking the expired one', async () => {
      const xml = idpMetadataXml(ENTITY_ID, SSO_URL, [
        { certificate: oldCert.certificate },
        { certificate: fixtureKeys.idp.certificate },
      ]);
      const result = await submit(h, admin, { id: 'mixed', metadataXml: xml });
      assert.equal(result.status, 200, result.error);
      assert.match(result.html, /\(EXPIRED\)/);
      assert.ok(result.html.includes(new X509Certificate(fixtureKeys.idp.certificate).fingerprint256));
    });

    it('flags a certificate that expires within 30 days on the admin home page', async () => {
      const xml = idpMetadataXml(ENTITY_ID, SSO_URL, [{ certificate: soonCert.certificate, use: 'signing' }]);
      const saved = await submit(h, admin, { id: 'soon', metadataXml: xml, action: 'save' });
      assert.equal(saved.status, 303, saved.error);
      const home = decodeHtml(await (await admin.get('/admin')).text());
      assert.match(home, /CN=soon idp, until \S+ \(expires in (9|10) days\)/);
    });

    it('saved none of the refused connections', async () => {
      const ids = (await h.service.store.listConnections('idp')).map((r) => r.id).sort();
      assert.deepEqual(ids, ['rollme', 'soon']);
    });
  });

  describe('with allowPrivateAddresses', () => {
    let h: AppHarness;
    let admin: CookieClient;
    before(async () => ({ h, admin } = await adminOn({ allowPrivateAddresses: true })));
    after(() => h.close());

    it('fetches https://localhost and previews what it found, then saves it', async () => {
      const previous = https.globalAgent.options.ca;
      // The test's TLS server is self-signed; trust it for this process's https.get only.
      https.globalAgent.options.ca = tlsCert.certificate;
      try {
        const result = await submit(h, admin, { id: 'local', metadataUrl: `https://localhost:${tlsPort}/m` });
        assert.equal(result.status, 200, result.error);
        assert.ok(result.html.includes(ENTITY_ID), 'the preview shows the entity ID');
        assert.ok(result.html.includes(SSO_URL), 'the preview shows the SSO URL');
        assert.ok(
          result.html.includes(new X509Certificate(fixtureKeys.idp.certificate).fingerprint256),
          'the preview shows the fingerprint',
        );
        const saved = await submit(h, admin, {
          id: 'local',
          metadataUrl: `https://localhost:${tlsPort}/m`,
          action: 'save',
        });
        assert.equal(saved.status, 303, saved.error);
      } finally {
        https.globalAgent.options.ca = previous;
        https.globalAgent.destroy();
      }
      const login = await h.newClient().get('/login/local');
      assert.equal(login.status, 302);
      assert.ok(
        login.headers.get('location')?.startsWith(`${SSO_URL}?`),
        'the saved connection sends people to the metadata SSO URL',
      );
    });

    it('still refuses plain http', async () => {
      assertRefused(
        await submit(h, admin, { id: 'plain', metadataUrl: `${httpBase}/m` }),
        'IDP_METADATA_INVALID',
        /must use https/,
      );
    });
  });

  describe('with allowHttpLoopback, a 2048-byte cap and a 300 ms timeout', () => {
    let h: AppHarness;
    let admin: CookieClient;
    before(async () => ({ h, admin } = await adminOn({ allowHttpLoopback: true, maxBytes: 2048, timeoutMs: 300 })));
    after(() => h.close());

    it('fetches plain http on loopback, previews and saves it', async () => {
      const result = await submit(h, admin, { id: 'sidecar', metadataUrl: `${httpBase}/m` });
      assert.equal(result.status, 200, result.error);
      assert.ok(result.html.includes(ENTITY_ID));
      const saved = await submit(h, admin, { id: 'sidecar', metadataUrl: `${httpBase}/m`, action: 'save' });
      assert.equal(saved.status, 303, saved.error);
      assert.equal((await h.newClient().get('/login/sidecar')).status, 302);
    });

    it('refuses a body over the cap, whether announced by Content-Length or streamed', async () => {
      for (const path of ['/huge', '/huge-chunked']) {
        assertRefused(
          await submit(h, admin, { id: 'big', metadataUrl: `${httpBase}${path}` }),
          'IDP_METADATA_INVALID',
          /larger than 2048 bytes/,
        );
      }
    });

    it('refuses a server slower than the timeout', async () => {
      // The server answers good metadata after 3 s: a refusal naming the 300 ms timeout can only
      // come from giving up at the timeout.
      assertRefused(
        await submit(h, admin, { id: 'slow', metadataUrl: `${httpBase}/slow` }),
        'IDP_METADATA_INVALID',
        /did not answer within 300 ms/,
      );
    });

    it('does not follow a redirect (to the cloud metadata service, say)', async () => {
      assertRefused(
        await submit(h, admin, { id: 'hop', metadataUrl: `${httpBase}/redirect` }),
        'IDP_METADATA_INVALID',
        /HTTP 302/,
      );
    });

    it('still refuses http to a non-loopback address and https to a private one', async () => {
      assertRefused(
        await submit(h, admin, { id: 'imds', metadataUrl: 'http://169.254.169.254/latest' }),
        'IDP_METADATA_INVALID',
        /refused/,
      );
      assertRefused(
        await submit(h, admin, { id: 'local', metadataUrl: `https://localhost:${tlsPort}/m` }),
        'IDP_METADATA_INVALID',
        /refused/,
        /private/,
      );
    });
  });
});

/** Runs `fn` while REBOUND_HOST resolves to the cloud metadata address (every other name as usual). */
async function withReboundDns<T>(fn: () => Promise<T>): Promise<T> {
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
