// Adding an IdP through the admin form, by metadata URL and by pasted metadata, with the default fetch
// settings: loopback, private and metadata-service addresses refused (even behind a DNS name), plain
// http refused, and which certificate sets are refused, each with a message that says why. A refused
// form keeps the admin's input and saves nothing. What the fetch settings allow, and what a broken
// server gets (a size cap, a timeout), is in metadata-url-allowed.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { expiredCert, generateCert, idpMetadataXml, type GeneratedCert } from '../../support/admin-certs.ts';
import type { AppHarness } from '../../support/app-harness.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';
import { fixtureKeys } from '../../support/sign-response.ts';
import {
  adminOn,
  assertRefused,
  ENTITY_ID,
  REBOUND_HOST,
  SSO_URL,
  startMetadataServers,
  submit,
  withReboundDns,
  type MetadataServers,
} from './support-metadata-url.ts';

describe('admin form: IdP metadata by URL and by paste', () => {
  let servers: MetadataServers;
  let tlsPort: number;
  let httpBase: string;
  let weakCert: GeneratedCert;
  let oldCert: GeneratedCert;
  let soonCert: GeneratedCert;

  before(async () => {
    [servers, weakCert, oldCert, soonCert] = await Promise.all([
      startMetadataServers(),
      generateCert('weak idp', { keySize: 1024 }),
      expiredCert('expired idp'),
      generateCert('soon idp', { notAfter: new Date(Date.now() + 10 * 86_400_000) }),
    ]);
    ({ tlsPort, httpBase } = servers);
  });
  after(() => servers.close());

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
});
