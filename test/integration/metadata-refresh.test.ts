// Metadata by URL is fetched again on a schedule: an IdP-side certificate rollover is picked up
// without a restart and recorded in the audit trail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp, type App } from '../../src/app.ts';
import { buildConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/logger.ts';
import { fetchIdpMetadata } from '../../src/saml/idp-connection.ts';
import type { RedshiftApi, StsApi } from '../../src/aws/ports.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';

const BASE = 'http://sso.example.com';
const ACS = `${BASE}/saml/acs/corp`;
const sts: StsApi = { assumeRoleWithSaml: async () => ({ value: { accessKeyId: 'ASIAFAKE', secretAccessKey: 'fake', sessionToken: 'fake', expiration: new Date(Date.now() + 3600_000) } }) };

function metadataWith(certs: string[]): string {
  const descriptors = certs
    .map((pem) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pem.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`)
    .join('');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${TEST_IDP_ISSUER}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${descriptors}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}

describe('scheduled metadata refresh', () => {
  let server: Server;
  let served = metadataWith([fixtureKeys.idp.certificate]);
  let built: App;

  before(async () => {
    server = createServer((_req, res) => res.end(served));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = buildConfig({
      server: { baseUrl: BASE, sessionSecret: testSessionSecret() },
      sp: { metadataFetch: { allowHttpLoopback: true } },
      idps: [{ id: 'corp', metadataUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`, allowIdpInitiated: true }],
      clusters: [{ id: 'c1', clusterIdentifier: 'c1', roles: [TEST_ROLE_ARN] }],
      store: { url: 'sqlite::memory:' },
    });
    built = createApp(config, { logger: createLogger({ level: 'silent' }), sts, redshift: {} as RedshiftApi, idpMetadata: await fetchIdpMetadata(config.idps, config.sp.metadataFetch) });
  });
  after(async () => {
    await built.close();
    server.close();
  });

  const signInWith = (key: typeof fixtureKeys.idp) =>
    request(built.app).post('/saml/acs/corp').set('accept', 'application/json').type('form').send({ SAMLResponse: aSamlResponse({ destination: ACS, recipient: ACS, key }) });

  it('trusts the new certificate after a refresh, and records the change', async () => {
    assert.equal((await signInWith(fixtureKeys.idp)).status, 303);
    assert.equal((await signInWith(fixtureKeys.idpNext)).status, 401, 'not trusted before the IdP publishes it');

    served = metadataWith([fixtureKeys.idpNext.certificate]);
    await built.metadata.refresh(built.registry.metadataUrls());

    assert.equal((await signInWith(fixtureKeys.idpNext)).status, 303, 'the new certificate works without a restart');
    const old = await signInWith(fixtureKeys.idp);
    assert.equal(old.status, 401);
    assert.equal(old.body.error.code, 'SAML_SIGNATURE_INVALID');

    const changes = await built.store.queryAudit({ kind: 'admin_change' });
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.actor, 'metadata-refresh');
    assert.equal(changes[0]?.idpId, 'corp');
    const details = changes[0]?.details as { before: { certificates: string[] }; after: { certificates: string[] } };
    assert.notDeepEqual(details.before.certificates, details.after.certificates);
  });

  it('keeps the last good metadata when a refresh fails', async () => {
    served = 'not xml';
    await built.metadata.refresh(built.registry.metadataUrls());
    assert.equal((await signInWith(fixtureKeys.idpNext)).status, 303);
  });
});
