// Refusals and per-IdP exceptions against a real IdP, SimpleSAMLphp 1.19 at localhost, in Chromium,
// with a service that has no SP keys: an unsigned AuthnRequest SimpleSAMLphp refuses, an encrypted
// assertion without a decryption key, IdP-initiated sign-in when it is off, SHA-1 refusal, and which
// element must be signed, each with the IdP entry that allows the exception.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { fixtureKeys } from '../support/sign-response.ts';
import { RSA_SHA1, RSA_SHA256, sspFeatureSuite } from '../support/ssp-features.ts';
import {
  apiMeStatus,
  errorCodeOf,
  getCredentials,
  recordAcsPosts,
  submitSspLogin,
  type SspDeployment,
} from '../support/ssp-flow.ts';
import type { SimpleSamlPhpChanges } from '../support/ssp-idp.ts';

describe('SimpleSAMLphp in Chromium: service defaults (no SP keys) and per-IdP-entry exceptions', () => {
  const suite = sspFeatureSuite();
  let d: SspDeployment;
  /** SimpleSAMLphp as each test starts: signs Response and Assertion with RSA-SHA256, no encryption. */
  const baseline: SimpleSamlPhpChanges = {
    validateAuthnRequest: false,
    encryptAssertion: false,
    signatureAlgorithm: RSA_SHA256,
    signAssertion: true,
    signResponse: true,
  };

  before(
    async () => {
      d = await suite.deploy({
        // The SP entry knows our certificate, but the service has no keys: it signs and decrypts nothing.
        ssp: { spCertificatePem: fixtureKeys.sp.certificate, extraIdpIds: ['ssp-sha1', 'ssp-response-signed'] },
        idps: [
          { id: 'ssp' },
          { id: 'ssp-sha1', allowSha1Signatures: true },
          { id: 'ssp-response-signed', wantAssertionsSigned: false },
        ],
      });
    },
    { timeout: 60_000 },
  );

  after(() => d?.stop());

  /** Starts at /login/<idpId> with SimpleSAMLphp set up with `changes`; returns the ACS POST's status and XML. */
  async function signInVia(
    page: Page,
    idpId: string,
    changes: SimpleSamlPhpChanges,
  ): Promise<{ status: number | undefined; xml: string }> {
    await d.ssp.update({ ...baseline, ...changes });
    const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
    const acs = page.waitForResponse(
      (res) => res.request().method() === 'POST' && res.url() === `${d.baseUrl}/saml/acs/${idpId}`,
    );
    await page.goto(`${d.baseUrl}/login/${idpId}`);
    await submitSspLogin(page, d);
    return { status: (await acs.catch(() => undefined))?.status(), xml: posts[0] ?? '' };
  }

  it(
    'SimpleSAMLphp refuses an unsigned AuthnRequest when it requires signed ones (no sp.signingKey)',
    { timeout: 30_000 },
    async () => {
      await d.ssp.update({ ...baseline, validateAuthnRequest: true });
      const page = await suite.newPage();
      await page.goto(`${d.baseUrl}/login/ssp`);
      assert.equal(new URL(page.url()).origin, d.ssp.baseUrl, 'the browser stays at SimpleSAMLphp');
      assert.equal(await page.locator('#username').count(), 0, 'no login form');
      // SimpleSAMLphp 1.19 shows its "Unhandled exception" page with HTTP 200; the text is what says no.
      const body = (await page.textContent('body')) ?? '';
      assert.match(
        body,
        /Validation of received messages enabled, but no signature found on message/,
        await d.diagnose(page),
      );
      assert.match(
        await d.ssp.logs(),
        /Validation with key #0 failed without exception/,
        'SimpleSAMLphp checked for a signature with our certificate',
      );
      await page.context().close();
    },
  );

  it(
    'shows SAML_DECRYPTION_KEY_MISSING for an encrypted assertion without sp.decryptionKey',
    { timeout: 30_000 },
    async () => {
      const page = await suite.newPage();
      const { status, xml } = await signInVia(page, 'ssp', { encryptAssertion: true });
      assert.match(xml, /<saml:EncryptedAssertion\b/);
      assert.equal(await errorCodeOf(page), 'SAML_DECRYPTION_KEY_MISSING', await d.diagnose(page));
      assert.equal(status, 401);
      await page.context().close();
    },
  );

  it(
    'refuses an IdP-initiated sign-in with SAML_UNSOLICITED when allowIdpInitiated is off',
    { timeout: 30_000 },
    async () => {
      await d.ssp.update(baseline);
      const page = await suite.newPage();
      const acs = page.waitForResponse(
        (res) => res.request().method() === 'POST' && res.url() === `${d.baseUrl}/saml/acs/ssp`,
      );
      await page.goto(`${d.ssp.ssoUrl}?spentityid=${encodeURIComponent(d.ssp.spEntityId)}`);
      await submitSspLogin(page, d);
      assert.equal(await errorCodeOf(page), 'SAML_UNSOLICITED', await d.diagnose(page));
      assert.equal((await acs).status(), 401);
      assert.match((await page.textContent('main')) ?? '', /IdP-initiated login is off/);
      assert.equal(await apiMeStatus(page, d), 401);
      await page.context().close();
    },
  );

  it(
    'refuses RSA-SHA1 signatures by default with SAML_ALGORITHM_NOT_ALLOWED, naming SHA1',
    { timeout: 30_000 },
    async () => {
      const page = await suite.newPage();
      const { status, xml } = await signInVia(page, 'ssp', { signatureAlgorithm: RSA_SHA1 });
      assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`), 'SimpleSAMLphp signed with RSA-SHA1');
      assert.equal(await errorCodeOf(page), 'SAML_ALGORITHM_NOT_ALLOWED', await d.diagnose(page));
      assert.equal(status, 401);
      assert.match((await page.textContent('p.error-text')) ?? '', /SHA1/);
      await page.context().close();
    },
  );

  it('accepts RSA-SHA1 signatures on an IdP entry with allowSha1Signatures: true', { timeout: 30_000 }, async () => {
    const page = await suite.newPage();
    const { xml } = await signInVia(page, 'ssp-sha1', { signatureAlgorithm: RSA_SHA1 });
    assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`));
    assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
    await page.context().close();
  });

  it(
    'refuses a response whose assertion is not signed (Response only) by default with SAML_SIGNATURE_INVALID',
    { timeout: 30_000 },
    async () => {
      const page = await suite.newPage();
      const { status, xml } = await signInVia(page, 'ssp', { signAssertion: false, signResponse: true });
      assert.equal(xml.match(/<ds:Signature\b/g)?.length, 1, 'one signature, on the Response');
      assert.equal(await errorCodeOf(page), 'SAML_SIGNATURE_INVALID', await d.diagnose(page));
      assert.equal(status, 401);
      await page.context().close();
    },
  );

  it(
    'accepts a Response-only signature on an IdP entry with wantAssertionsSigned: false',
    { timeout: 30_000 },
    async () => {
      const page = await suite.newPage();
      const firstCall = suite.emulator.calls.length;
      await signInVia(page, 'ssp-response-signed', { signAssertion: false, signResponse: true });
      assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
      assert.deepEqual(
        suite.stsOutcomes(firstCall),
        ['ok'],
        'STS accepts a signed Response around an unsigned assertion',
      );
      await page.context().close();
    },
  );

  it('never answered with a 5xx', () => {
    assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
  });
});
