// Browser hardening: another site cannot frame the service, every page sends its security
// headers, and the service's own pages run under their CSP without a single violation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AWS_ROLE, defaultTestAttributes } from '../support/sign-response.ts';
import { BOTH_ROLES, readFrameScriptFor, useBrowserSuite } from './support-browser-suite.ts';
import { assertNoInjection, pageText } from './support-browser-watch.ts';

describe('browser hardening (headless Chromium)', () => {
  const suite = useBrowserSuite();

  describe('framing and headers', () => {
    it('another site cannot frame the service', async () => {
      const { context, page } = await suite.newWatchedContext();
      const consoleLines: string[] = [];
      page.on('console', (m) => consoleLines.push(m.text()));
      try {
        await page.goto(
          suite.attacker.page(
            '/frame',
            `<!doctype html><title>attacker</title><iframe name="app" src="${suite.app.baseUrl}/" width="600" height="400"></iframe>`,
          ),
        );
        await page.waitForLoadState('load');
        await page.waitForTimeout(300);
        const frame = page.frame({ name: 'app' });
        assert.ok(frame !== null, 'the iframe exists');
        const framed = await frame
          .evaluate<string | null>("document.querySelector('a.brand') ? document.body.innerText.slice(0, 100) : null")
          .catch(() => null);
        assert.equal(framed, null, `the service's page did not load in the frame (frame url ${frame.url()})`);
        const blockedByCsp = consoleLines.some((line) => /frame-ancestors 'none'/.test(line));
        assert.ok(
          frame.url().startsWith('chrome-error://') || blockedByCsp,
          `Chromium blocked the frame (url ${frame.url()}; console: ${consoleLines.join(' | ')})`,
        );
        assert.match(
          await page.evaluate<string>(readFrameScriptFor('iframe')),
          /^blocked|^empty/,
          'the attacker page cannot read the frame',
        );
      } finally {
        await context.close();
      }
    });

    it('sends CSP, X-Frame-Options, HttpOnly SameSite=Lax cookies, no-store and no-referrer', async () => {
      const { context, page } = await suite.newWatchedContext();
      try {
        const home = await page.goto(`${suite.app.baseUrl}/`);
        assert.ok(home !== null);
        const csp = home.headers()['content-security-policy'] ?? '';
        assert.match(csp, /frame-ancestors 'none'/, `CSP forbids framing (${csp})`);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP allows no inline code (${csp})`);
        assert.match(csp, /script-src 'self'/);
        assert.ok(home.headers()['x-frame-options'] !== undefined, 'X-Frame-Options is set');
        assert.equal(home.headers()['referrer-policy'], 'no-referrer');
        assert.equal(home.headers()['x-content-type-options'], 'nosniff');

        suite.idp.response = {};
        await suite.signIn(page);
        const cookies = await context.cookies(suite.app.baseUrl);
        assert.ok(cookies.length > 0, 'a session cookie');
        for (const cookie of cookies) {
          assert.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`);
          assert.equal(cookie.sameSite, 'Lax', `${cookie.name} is SameSite=Lax`);
        }
        const [credentials] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/credentials` && r.request().method() === 'GET'),
          page.locator('form[action="/credentials"] button[type="submit"]').first().click(),
        ]);
        assert.equal(credentials.status(), 200);
        const headers = credentials.headers();
        assert.match(headers['cache-control'] ?? '', /no-store/, 'the credentials page is never cached');
        assert.equal(headers['referrer-policy'], 'no-referrer', 'the credentials page sends no referrer');
        const api = await page.evaluate<Record<string, string | null>>(
          "fetch('/api/credentials', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'analytics' }) }).then((r) => ({ status: String(r.status), cacheControl: r.headers.get('cache-control'), referrerPolicy: r.headers.get('referrer-policy') }))",
        );
        assert.deepEqual(
          api,
          { status: '200', cacheControl: 'no-store', referrerPolicy: 'no-referrer' },
          'the credentials API answer is never cached',
        );
      } finally {
        await context.close();
      }
    });
  });

  describe('CSP on the normal flow', () => {
    it("raises no CSP violation on any of the service's own pages", async () => {
      const { context, page, watch } = await suite.newWatchedContext();
      const visited: string[] = [];
      page.on('load', () => visited.push(page.url()));
      suite.idp.response = { attributes: { ...defaultTestAttributes, [AWS_ROLE]: BOTH_ROLES } };
      try {
        await page.goto(`${suite.app.baseUrl}/`);
        await assertNoInjection(page, 'the home page');
        await page.goto(`${suite.app.baseUrl}/no-such-page`);
        await assertNoInjection(page, 'the 404 page');
        await suite.signIn(page, '/login?returnTo=%2F');
        await assertNoInjection(page, 'the role chooser');
        await Promise.all([page.waitForURL(/\/\?role=/), page.locator('a.button[href^="/?role="]').first().click()]);
        await assertNoInjection(page, 'the cluster chooser');
        await Promise.all([
          page.waitForURL(`${suite.app.baseUrl}/credentials`),
          page.locator('form[action="/credentials"] button[type="submit"]').first().click(),
        ]);
        await assertNoInjection(page, 'the credentials page');
        // Exercise the page's script: reveal, copy and the countdown.
        await page.locator('button[data-reveal="db-password"]').click();
        assert.equal(
          await page.locator('#db-password').isVisible(),
          true,
          'Show reveals the password (credentials.js ran)',
        );
        await page.locator('button[data-copy="db-user"]').click();
        await page.waitForTimeout(200);
        assert.notEqual(await page.textContent('.countdown'), '…', 'the countdown runs');
        await Promise.all([
          page.waitForURL(`${suite.app.baseUrl}/`),
          page.locator('form[action="/logout"] button[type="submit"]').click(),
        ]);
        assert.ok(!(await pageText(page)).includes('Signed in as'), 'signed out');
        await assertNoInjection(page, 'the page after sign-out');
      } finally {
        suite.idp.response = {};
        await context.close();
      }
      assert.ok(visited.length >= 5, `visited the flow's pages (${visited.join(', ')})`);
      assert.deepEqual(watch.cspViolations, [], 'no CSP violation on the normal flow');
    });
  });
});
