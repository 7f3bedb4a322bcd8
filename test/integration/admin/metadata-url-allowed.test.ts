// Adding an IdP through the admin form by metadata URL where the fetch settings allow more:
// https to loopback with allowPrivateAddresses, plain http to loopback with allowHttpLoopback (never
// elsewhere), and what a broken server gets (a size cap, a timeout, no redirects). The defaults are in
// metadata-url.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { GeneratedCert } from '../../support/admin-certs.ts';
import type { AppHarness } from '../../support/app-harness.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { fixtureKeys } from '../../support/sign-response.ts';
import {
  adminOn,
  assertRefused,
  ENTITY_ID,
  SSO_URL,
  startMetadataServers,
  submit,
  type MetadataServers,
} from './support-metadata-url.ts';

describe('admin form: IdP metadata by URL and by paste', () => {
  let servers: MetadataServers;
  let tlsCert: GeneratedCert;
  let tlsPort: number;
  let httpBase: string;

  before(async () => {
    servers = await startMetadataServers();
    ({ tlsCert, tlsPort, httpBase } = servers);
  });
  after(() => servers.close());

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
