// Single Logout against a real IdP, SimpleSAMLphp 1.19 at localhost, in Chromium, with everything on
// (as in ssp-metadata-encryption.test.ts): started at the service, started at SimpleSAMLphp, both
// signed both ways, and unsigned logout messages refused by default.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVERYTHING_ON, RSA_SHA256, SUCCESS, sspFeatureSuite } from '../support/ssp-features.ts';
import {
  apiMeStatus,
  assertNoErrorPage,
  errorCodeOf,
  recordRequests,
  redirectMessageXml,
  signInAtService,
} from '../support/ssp-flow.ts';

describe('Single Logout with SimpleSAMLphp in Chromium', () => {
  const suite = sspFeatureSuite(EVERYTHING_ON);
  const { d } = suite;

  /** The first request among `urls` that carries a SAML message in `param` (HTTP-Redirect binding). */
  const carrying = (urls: URL[], param: 'SAMLRequest' | 'SAMLResponse') =>
    urls.find((url) => url.searchParams.has(param));

  suite.inBrowser(
    'signs out at the service and at SimpleSAMLphp (SP-initiated Single Logout, signed both ways)',
    async (page) => {
      await signInAtService(page, d);
      // SimpleSAMLphp has a session now: a second sign-in needs no password.
      await page.goto(`${d.baseUrl}/login/ssp`);
      await page.waitForURL((url) => url.origin === d.baseUrl && url.pathname === '/', { waitUntil: 'load' });
      assert.equal(await apiMeStatus(page, d), 200);

      const toIdp = recordRequests(page, d.ssp.sloUrl);
      const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
      await Promise.all([
        page.waitForURL((url) => url.origin === d.baseUrl && url.pathname === '/saml/slo/ssp', { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]).catch(async (err: unknown) =>
        assert.fail(`did not come back from SimpleSAMLphp's logout (${String(err)}) ${await d.diagnose(page)}`),
      );
      await assertNoErrorPage(page, d);
      assert.equal(await page.textContent('h1'), 'You are signed out');

      const logoutRequest = carrying(toIdp, 'SAMLRequest');
      assert.ok(logoutRequest, 'our LogoutRequest went to SimpleSAMLphp');
      assert.match(redirectMessageXml(logoutRequest), /<samlp:LogoutRequest\b/);
      assert.equal(logoutRequest.searchParams.get('SigAlg'), RSA_SHA256, 'our LogoutRequest is signed');
      const logoutResponse = carrying(toUs, 'SAMLResponse');
      assert.ok(logoutResponse, 'SimpleSAMLphp answered with a LogoutResponse');
      assert.ok(logoutResponse.searchParams.has('Signature'), 'SimpleSAMLphp signed its LogoutResponse');
      assert.ok(redirectMessageXml(logoutResponse).includes(`Value="${SUCCESS}"`));

      assert.equal(await apiMeStatus(page, d), 401);
      await page.goto(`${d.baseUrl}/login/ssp`);
      await page
        .waitForSelector('#username')
        .catch(async () => assert.fail(`SimpleSAMLphp did not ask for the password again ${await d.diagnose(page)}`));
    },
  );

  suite.inBrowser(
    'ends the session when SimpleSAMLphp starts the logout (IdP-initiated, signed both ways)',
    async (page) => {
      await signInAtService(page, d);
      assert.equal(await apiMeStatus(page, d), 200);

      const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
      const toIdp = recordRequests(page, d.ssp.sloUrl);
      const returnTo = `${d.baseUrl}/api/me`;
      const final = await page.goto(`${d.ssp.sloUrl}?ReturnTo=${encodeURIComponent(returnTo)}`);
      assert.equal(
        page.url(),
        returnTo,
        `SimpleSAMLphp finished the logout and sent the browser to ReturnTo ${await d.diagnose(page)}`,
      );
      assert.equal(final?.status(), 401, 'our session has ended');

      const logoutRequest = carrying(toUs, 'SAMLRequest');
      assert.ok(logoutRequest, 'SimpleSAMLphp sent a LogoutRequest to our SLO endpoint by HTTP-Redirect');
      assert.equal(logoutRequest.searchParams.get('SigAlg'), RSA_SHA256);
      const logoutResponse = carrying(toIdp, 'SAMLResponse');
      assert.ok(logoutResponse, 'our LogoutResponse went back to SimpleSAMLphp');
      assert.ok(
        logoutResponse.searchParams.has('Signature'),
        'our LogoutResponse is signed (SimpleSAMLphp validates it)',
      );
      assert.ok(redirectMessageXml(logoutResponse).includes(`Value="${SUCCESS}"`));
      const sspLog = await d.ssp.logs();
      assert.ok(
        sspLog.includes(`Received SAML 2.0 LogoutResponse from: '${d.ssp.spEntityId}'`),
        'SimpleSAMLphp accepted our LogoutResponse',
      );
      assert.ok(!sspLog.includes('Unsuccessful logout'));
    },
  );

  suite.inBrowser(
    'refuses unsigned logout messages by default (SAML_LOGOUT_UNSIGNED); the session survives a LogoutRequest',
    async (page) => {
      await d.ssp.update({ signLogout: false });
      try {
        await signInAtService(page, d);
        const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
        const final = await page.goto(`${d.ssp.sloUrl}?ReturnTo=${encodeURIComponent(`${d.baseUrl}/api/me`)}`);
        const logoutRequest = carrying(toUs, 'SAMLRequest');
        assert.ok(
          logoutRequest && !logoutRequest.searchParams.has('Signature'),
          `SimpleSAMLphp sent an unsigned LogoutRequest ${await d.diagnose(page)}`,
        );
        assert.equal(await errorCodeOf(page), 'SAML_LOGOUT_UNSIGNED', await d.diagnose(page));
        assert.equal(final?.status(), 401);
        assert.equal(await apiMeStatus(page, d), 200, 'the session survives an unsigned LogoutRequest');

        // Our own sign-out still ends the local session; SimpleSAMLphp's unsigned LogoutResponse is refused.
        await page.goto(`${d.baseUrl}/`);
        const slo = page.waitForResponse((res) => res.url().startsWith(`${d.baseUrl}/saml/slo/ssp?SAMLResponse=`));
        await page.getByRole('button', { name: 'Sign out' }).click();
        assert.equal((await slo).status(), 401);
        assert.equal(await errorCodeOf(page), 'SAML_LOGOUT_UNSIGNED', await d.diagnose(page));
        assert.equal(await apiMeStatus(page, d), 401);
      } finally {
        await d.ssp.update({ signLogout: true });
      }
    },
  );

  it('never answered with a 5xx', () => {
    assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
  });
});
