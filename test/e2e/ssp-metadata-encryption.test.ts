// SAML features against a real IdP, SimpleSAMLphp 1.19 at localhost, in Chromium, with the service
// at 127.0.0.1 naming the IdP by its metadata URL and everything on: a signing-key rollover, signed
// AuthnRequests, encrypted assertions (read by the service and by the STS emulator) and IdP-initiated
// sign-in. Clock skew is not covered: shifting SimpleSAMLphp's clock would need faketime, which is
// not installed here. Single Logout is in ssp-single-logout.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseIdpMetadata } from '../../src/saml/metadata.ts';
import { fixtureKeys } from '../support/sign-response.ts';
import {
  EVERYTHING_ON,
  IDP_KEY,
  IDP_NEXT_KEY,
  RSA_SHA256,
  SSP_ENTITY_ID,
  sspFeatureSuite,
} from '../support/ssp-features.ts';
import {
  assertNoErrorPage,
  getCredentials,
  pemBody,
  psql,
  recordAcsPosts,
  recordRequests,
  redirectMessageXml,
  signInAtService,
  submitSspLogin,
} from '../support/ssp-flow.ts';

describe('SAML features against SimpleSAMLphp in Chromium: metadata, signed requests, encryption', () => {
  const suite = sspFeatureSuite(EVERYTHING_ON);
  const { d } = suite;

  suite.inBrowser(
    'reads the IdP from its metadata URL, which lists two signing certificates, and signs in',
    async (page) => {
      const metadata = parseIdpMetadata(await (await fetch(d.ssp.metadataUrl)).text());
      assert.equal(metadata.entityId, SSP_ENTITY_ID);
      assert.deepEqual(
        metadata.signingCerts.map(pemBody).sort(),
        [IDP_KEY, IDP_NEXT_KEY].map((k) => pemBody(k.certificatePem)).sort(),
      );
      assert.equal(metadata.sloUrl, d.ssp.sloUrl);
      await signInAtService(page, d);
      assert.equal(new URL(page.url()).pathname, '/');
    },
  );

  suite.inBrowser('signs its AuthnRequests (SHA-256), which this SimpleSAMLphp requires', async (page) => {
    const toIdp = recordRequests(page, d.ssp.ssoUrl);
    await signInAtService(page, d);
    const request = toIdp.find((url) => url.searchParams.has('SAMLRequest'));
    assert.ok(request, 'an AuthnRequest went to SimpleSAMLphp by HTTP-Redirect');
    assert.equal(request.searchParams.get('SigAlg'), RSA_SHA256);
    assert.ok((request.searchParams.get('Signature') ?? '').length > 100, 'the query carries a Signature');
    assert.match(redirectMessageXml(request), /<samlp:AuthnRequest\b/);
  });

  it('publishes its signing and encryption certificates in the SP metadata', async () => {
    const res = await fetch(`${d.baseUrl}/saml/metadata/ssp`);
    assert.equal(res.status, 200);
    const xml = await res.text();
    const sp = pemBody(fixtureKeys.sp.certificate);
    for (const use of ['signing', 'encryption']) {
      const descriptor = new RegExp(`<KeyDescriptor use="${use}">[\\s\\S]*?</KeyDescriptor>`).exec(xml)?.[0] ?? '';
      assert.ok(
        descriptor.replace(/\s+/g, '').includes(sp),
        `KeyDescriptor use="${use}" holds the SP certificate:\n${xml}`,
      );
    }
    assert.match(xml, /AuthnRequestsSigned="true"/);
    assert.ok(xml.includes(`Location="${d.baseUrl}/saml/slo/ssp"`), 'lists the SLO endpoint');
  });

  suite.inBrowser(
    "reads the encrypted assertion, and STS decrypts it with the IAM provider's key: the issued login works",
    async (page) => {
      const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
      const firstCall = suite.emulator.calls.length;
      await page.goto(`${d.baseUrl}/login/ssp`);
      await submitSspLogin(page, d);
      const xml = posts[0] ?? '';
      assert.match(xml, /<saml:EncryptedAssertion\b/);
      assert.doesNotMatch(xml, /<saml:Assertion\b/, 'no assertion in the clear');
      assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p"/);
      assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc"/);

      const { dbUser, uri } = await getCredentials(page, d);
      assert.equal(dbUser, 'IAM:alice');
      assert.equal(await psql(uri), 'IAM:alice');
      assert.deepEqual(suite.stsOutcomes(firstCall), ['ok'], 'the emulator accepted the encrypted response');
    },
  );

  suite.inBrowser('signs in from SimpleSAMLphp (IdP-initiated) with allowIdpInitiated: true', async (page) => {
    const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
    await page.goto(`${d.ssp.ssoUrl}?spentityid=${encodeURIComponent(d.ssp.spEntityId)}`);
    await submitSspLogin(page, d);
    assert.equal(posts.length, 1);
    assert.doesNotMatch(posts[0] ?? '', /InResponseTo=/, 'an unsolicited response');
    await assertNoErrorPage(page, d);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
  });

  // Last here: it changes SimpleSAMLphp's key for good.
  suite.inBrowser(
    'still signs in after SimpleSAMLphp rolls over to its second key (trusted from the start-up metadata)',
    async (page) => {
      await d.ssp.update({ signingKey: IDP_NEXT_KEY, nextSigningKey: undefined });
      const metadata = parseIdpMetadata(await (await fetch(d.ssp.metadataUrl)).text());
      assert.deepEqual(
        metadata.signingCerts.map(pemBody),
        [pemBody(IDP_NEXT_KEY.certificatePem)],
        'SimpleSAMLphp now publishes only the new key',
      );
      const firstCall = suite.emulator.calls.length;
      await page.goto(`${d.baseUrl}/login/ssp`);
      await submitSspLogin(page, d);
      assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
      assert.deepEqual(suite.stsOutcomes(firstCall), ['ok']);
    },
  );

  it('never answered with a 5xx', () => {
    assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
  });
});
