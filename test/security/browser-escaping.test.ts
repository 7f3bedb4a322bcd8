// Browser hardening, as a hostile web sees the service in headless Chromium: hostile identity
// values and IdP messages are shown as text, and return paths never leave the origin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AWS_ROLE, defaultTestAttributes, REDSHIFT_DB_GROUPS } from '../support/sign-response.ts';
import { BOTH_ROLES, useBrowserSuite } from './support-browser-suite.ts';
import { assertNoInjection, pageText } from './support-browser-watch.ts';

const XSS_NAME_ID = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
const XSS_STATUS_MESSAGE = '<img src=x onerror=alert(3)>';
const XSS_CLUSTER_ID = '<img src=x onerror=alert(4)>"\'><script>alert(5)</script>';
const EVIL_RETURN_PATHS = [
  'https://evil.example/',
  '//evil.example',
  '/\\evil.example',
  'javascript:alert(1)',
  '\\/evil.example',
  'https:evil.example',
  '/\t/evil.example',
  '/%2F%2Fevil.example',
];

describe('browser hardening (headless Chromium)', () => {
  const suite = useBrowserSuite();

  describe('output escaping', () => {
    it('shows a hostile NameID and attributes as text on the choosers and the credentials page', async () => {
      const { context, page, watch } = await suite.newWatchedContext();
      const dialogsBefore = suite.chromium.dialogs.length;
      suite.idp.response = {
        nameId: XSS_NAME_ID,
        attributes: {
          ...defaultTestAttributes,
          [AWS_ROLE]: BOTH_ROLES,
          [REDSHIFT_DB_GROUPS]: [
            '<script>alert(6)</script>',
            '"\'><img src=x onerror=alert(7)>',
            'javascript:alert(8)',
            'analysts',
          ],
          'https://example.com/SAML/Attributes/Evil': [
            '<script>alert(9)</script>',
            'javascript:alert(10)',
            '"><svg onload=alert(11)>',
          ],
        },
      };
      try {
        await suite.signIn(page);
        assert.equal(new URL(page.url()).pathname, '/', 'back on the service after sign-in');
        await assertNoInjection(page, 'the role chooser');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID, 'the NameID is shown as text');
        assert.equal(await page.locator('a.button[href^="/?role="]').count(), 2, 'both roles are offered');

        await Promise.all([page.waitForURL(/\/\?role=/), page.locator('a.button[href^="/?role="]').first().click()]);
        await assertNoInjection(page, 'the cluster chooser');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID);

        const mark = suite.app.emulator.calls.length;
        const [credentials] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/credentials` && r.request().method() === 'GET'),
          page.locator('form[action="/credentials"] button[type="submit"]').first().click(),
        ]);
        await page.waitForLoadState('load');
        assert.equal(credentials.status(), 200, 'the page issues credentials (post, redirect, get)');
        assert.equal(suite.getClusterCredentialsCalls(mark), 1, 'one GetClusterCredentials for the button');
        await assertNoInjection(page, 'the credentials page');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID);

        // /api/me reflects the NameID too: as JSON it must never be rendered as HTML.
        await page.goto(`${suite.app.baseUrl}/api/me`);
        assert.equal(
          await page.evaluate<number>('document.querySelectorAll("img, script").length'),
          0,
          '/api/me renders as text',
        );
        assert.ok((await pageText(page)).includes('<script>alert(1)</script>'), '/api/me shows the NameID as text');
      } finally {
        await context.close();
      }
      assert.deepEqual(suite.chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
      assert.deepEqual(watch.cspViolations, [], 'no CSP violation');
    });

    it('shows a cluster id with markup as text on the error page', async () => {
      const { context, page } = await suite.newWatchedContext();
      const dialogsBefore = suite.chromium.dialogs.length;
      suite.idp.response = {};
      try {
        await suite.signIn(page);
        // The chooser's own form, with its valid CSRF token, naming a cluster that does not exist.
        await page.evaluate(
          `document.querySelector('form[action="/credentials"] input[name="cluster"]').value = ${JSON.stringify(XSS_CLUSTER_ID)}`,
        );
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/credentials`),
          page.locator('form[action="/credentials"] button[type="submit"]').first().click(),
        ]);
        await page.waitForLoadState('load');
        assert.equal(answer.status(), 404);
        await assertNoInjection(page, 'the CLUSTER_UNKNOWN error page');
        const text = await pageText(page);
        assert.ok(text.includes('CLUSTER_UNKNOWN'), 'the error code is shown');
        assert.ok(
          text.includes(XSS_CLUSTER_ID.slice(0, 30)),
          `the cluster id is shown as text (page: ${text.slice(0, 300)})`,
        );
      } finally {
        await context.close();
      }
      assert.deepEqual(suite.chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
    });

    it("shows the IdP's status message with markup as text on the ACS error page", async () => {
      const { context, page } = await suite.newWatchedContext();
      const dialogsBefore = suite.chromium.dialogs.length;
      suite.idp.response = { status: { code: 'Responder', subCode: 'AuthnFailed', message: XSS_STATUS_MESSAGE } };
      try {
        const [acs] = await Promise.all([
          page.waitForResponse((r) => r.url() === suite.app.acsUrl),
          suite.signIn(page),
        ]);
        assert.equal(acs.status(), 401);
        await assertNoInjection(page, 'the SAML_IDP_ERROR page');
        const text = await pageText(page);
        assert.ok(text.includes('SAML_IDP_ERROR'), 'the error code is shown');
        assert.ok(
          text.includes(XSS_STATUS_MESSAGE),
          `the IdP's message is shown as text (page: ${text.slice(0, 300)})`,
        );
      } finally {
        suite.idp.response = {};
        await context.close();
      }
      assert.deepEqual(suite.chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
    });
  });

  describe('return paths', () => {
    for (const evil of EVIL_RETURN_PATHS) {
      it(`stays on the service for ?returnTo=${JSON.stringify(evil)} and for RelayState ${JSON.stringify(evil)}`, async () => {
        const { context, page, watch } = await suite.newWatchedContext();
        const dialogsBefore = suite.chromium.dialogs.length;
        suite.idp.response = {};
        try {
          await suite.signIn(page, `/login?returnTo=${encodeURIComponent(evil)}`);
          assert.equal(new URL(page.url()).origin, suite.appOrigin, `?returnTo ends on the service, not ${page.url()}`);

          suite.idp.relayStateOverride = evil;
          await suite.signIn(page, '/login');
          assert.equal(
            new URL(page.url()).origin,
            suite.appOrigin,
            `RelayState ends on the service, not ${page.url()}`,
          );
        } finally {
          suite.idp.relayStateOverride = undefined;
          await context.close();
        }
        assert.deepEqual(watch.foreignRequests, [], 'the browser never tried to leave the loopback sites');
        assert.deepEqual(suite.chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript ran');
      });
    }
  });
});
