// Refusals and per-IdP exceptions against a real IdP, SimpleSAMLphp 1.19 at localhost, in Chromium,
// with a service that has no SP keys: an unsigned AuthnRequest SimpleSAMLphp refuses, an encrypted
// assertion without a decryption key, IdP-initiated sign-in when it is off, SHA-1 refusal, and which
// element must be signed, each with the IdP entry that allows the exception.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { fixtureKeys } from '../support/sign-response.ts';
import { RSA_SHA1, RSA_SHA256, sspFeatureSuite } from '../support/ssp-features.ts';
import { apiMeStatus, errorCodeOf, getCredentials, recordAcsPosts, submitSspLogin } from '../support/ssp-flow.ts';
import type { SimpleSamlPhpChanges } from '../support/ssp-idp.ts';

describe('SimpleSAMLphp in Chromium: service defaults (no SP keys) and per-IdP-entry exceptions', () => {
  const suite = sspFeatureSuite({
    // The SP entry knows our certificate, but the service has no keys: it signs and decrypts nothing.
    ssp: { spCertificatePem: fixtureKeys.sp.certificate, extraIdpIds: ['ssp-sha1', 'ssp-response-signed'] },
    idps: [
      { id: 'ssp' },
      { id: 'ssp-sha1', allowSha1Signatures: true },
      { id: 'ssp-response-signed', wantAssertionsSigned: false },
    ],
  });
  const { d } = suite;
  /** SimpleSAMLphp as each test starts: signs Response and Assertion with RSA-SHA256, no encryption. */
  const baseline: SimpleSamlPhpChanges = {
    validateAuthnRequest: false,
    encryptAssertion: false,
    signatureAlgorithm: RSA_SHA256,
    signAssertion: true,
    signResponse: true,
  };

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

  /** signInVia, refused at the ACS with `code` (HTTP 401); returns the ACS POST's XML. */
  async function refusedVia(page: Page, idpId: string, changes: SimpleSamlPhpChanges, code: string): Promise<string> {
    const { status, xml } = await signInVia(page, idpId, changes);
    assert.equal(await errorCodeOf(page), code, await d.diagnose(page));
    assert.equal(status, 401);
    return xml;
  }

  suite.inBrowser(
    'SimpleSAMLphp refuses an unsigned AuthnRequest when it requires signed ones (no sp.signingKey)',
    async (page) => {
      await d.ssp.update({ ...baseline, validateAuthnRequest: true });
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
    },
  );

  suite.inBrowser(
    'shows SAML_DECRYPTION_KEY_MISSING for an encrypted assertion without sp.decryptionKey',
    async (page) => {
      const xml = await refusedVia(page, 'ssp', { encryptAssertion: true }, 'SAML_DECRYPTION_KEY_MISSING');
      assert.match(xml, /<saml:EncryptedAssertion\b/);
    },
  );

  suite.inBrowser(
    'refuses an IdP-initiated sign-in with SAML_UNSOLICITED when allowIdpInitiated is off',
    async (page) => {
      await d.ssp.update(baseline);
      const acs = page.waitForResponse(
        (res) => res.request().method() === 'POST' && res.url() === `${d.baseUrl}/saml/acs/ssp`,
      );
      await page.goto(`${d.ssp.ssoUrl}?spentityid=${encodeURIComponent(d.ssp.spEntityId)}`);
      await submitSspLogin(page, d);
      assert.equal(await errorCodeOf(page), 'SAML_UNSOLICITED', await d.diagnose(page));
      assert.equal((await acs).status(), 401);
      assert.match((await page.textContent('main')) ?? '', /IdP-initiated login is off/);
      assert.equal(await apiMeStatus(page, d), 401);
    },
  );

  suite.inBrowser(
    'refuses RSA-SHA1 signatures by default with SAML_ALGORITHM_NOT_ALLOWED, naming SHA1',
    async (page) => {
      const xml = await refusedVia(page, 'ssp', { signatureAlgorithm: RSA_SHA1 }, 'SAML_ALGORITHM_NOT_ALLOWED');
      assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`), 'SimpleSAMLphp signed with RSA-SHA1');
      assert.match((await page.textContent('p.error-text')) ?? '', /SHA1/);
    },
  );

  suite.inBrowser('accepts RSA-SHA1 signatures on an IdP entry with allowSha1Signatures: true', async (page) => {
    const { xml } = await signInVia(page, 'ssp-sha1', { signatureAlgorithm: RSA_SHA1 });
    assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`));
    assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
  });

  suite.inBrowser(
    'refuses a response whose assertion is not signed (Response only) by default with SAML_SIGNATURE_INVALID',
    async (page) => {
      const responseOnly = { signAssertion: false, signResponse: true };
      const xml = await refusedVia(page, 'ssp', responseOnly, 'SAML_SIGNATURE_INVALID');
      assert.equal(xml.match(/<ds:Signature\b/g)?.length, 1, 'one signature, on the Response');
    },
  );

  suite.inBrowser(
    'accepts a Response-only signature on an IdP entry with wantAssertionsSigned: false',
    async (page) => {
      const firstCall = suite.emulator.calls.length;
      await signInVia(page, 'ssp-response-signed', { signAssertion: false, signResponse: true });
      assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
      assert.deepEqual(
        suite.stsOutcomes(firstCall),
        ['ok'],
        'STS accepts a signed Response around an unsigned assertion',
      );
    },
  );

  it('never answered with a 5xx', () => {
    assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
  });
});
