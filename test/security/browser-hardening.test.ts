// The service as a hostile web sees it, in headless Chromium: hostile identity values and IdP
// messages are shown as text, return paths never leave the origin, another site can neither forge
// requests with the user's session nor read answers nor frame the pages, and the service's own
// pages run under their CSP without a single violation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { CHROMIUM_PATH } from '../support/ssp-install.ts';
import {
  AWS_ROLE,
  defaultTestAttributes,
  REDSHIFT_DB_GROUPS,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../support/sign-response.ts';
import { SECOND_ROLE_ARN, startSecurityApp, type SecurityApp } from './support-app.ts';
import {
  autoPostPage,
  startAttackerSite,
  startFakeIdp,
  type AttackerSite,
  type FakeIdp,
} from './support-browser-sites.ts';
import { assertNoInjection, pageText, watchContext, type Watch } from './support-browser-watch.ts';

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
const BOTH_ROLES = [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${SECOND_ROLE_ARN},${TEST_PRINCIPAL_ARN}`];

describe('browser hardening (headless Chromium)', () => {
  let app: SecurityApp;
  let idp: FakeIdp;
  let attacker: AttackerSite;
  let sibling: AttackerSite;
  let chromium: LaunchedChromium;
  let appOrigin: string;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM_PATH),
      `Chromium is required at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium`,
    );
    [idp, attacker, sibling, chromium] = await Promise.all([
      startFakeIdp(),
      startAttackerSite('localhost'),
      startAttackerSite('127.0.0.1'),
      launchChromium(),
    ]);
    app = await startSecurityApp({ idp: { ssoUrl: idp.ssoUrl } });
    idp.acsUrl = app.acsUrl;
    appOrigin = new URL(app.baseUrl).origin;
  });

  after(async () => {
    await chromium?.close();
    await Promise.all([app?.close(), idp?.close(), attacker?.close(), sibling?.close()]);
  });

  /** Goes through /login (or `start`), the stand-in IdP and the ACS; resolves once back on the service. */
  async function signInThroughBrowser(page: Page, start = '/login'): Promise<void> {
    await page.goto(`${app.baseUrl}${start}`);
    await page.waitForURL(
      (url) => url.origin !== idp.origin && !(url.origin === appOrigin && url.pathname.startsWith('/login')),
      { waitUntil: 'load' },
    );
  }

  async function newWatchedContext(): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
    const context = await chromium.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: appOrigin });
    const watch = await watchContext(context);
    return { context, page: await context.newPage(), watch };
  }

  function getClusterCredentialsCalls(mark: number): number {
    return app.callsSince(mark).filter((c) => c.action === 'GetClusterCredentials').length;
  }

  describe('output escaping', () => {
    it('shows a hostile NameID and attributes as text on the choosers and the credentials page', async () => {
      const { context, page, watch } = await newWatchedContext();
      const dialogsBefore = chromium.dialogs.length;
      idp.response = {
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
        await signInThroughBrowser(page);
        assert.equal(new URL(page.url()).pathname, '/', 'back on the service after sign-in');
        await assertNoInjection(page, 'the role chooser');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID, 'the NameID is shown as text');
        assert.equal(await page.locator('a.button[href^="/?role="]').count(), 2, 'both roles are offered');

        await Promise.all([page.waitForURL(/\/\?role=/), page.locator('a.button[href^="/?role="]').first().click()]);
        await assertNoInjection(page, 'the cluster chooser');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID);

        const mark = app.emulator.calls.length;
        const [credentials] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${app.baseUrl}/credentials` && r.request().method() === 'GET'),
          page.locator('form[action="/credentials"] button[type="submit"]').first().click(),
        ]);
        await page.waitForLoadState('load');
        assert.equal(credentials.status(), 200, 'the page issues credentials (post, redirect, get)');
        assert.equal(getClusterCredentialsCalls(mark), 1, 'one GetClusterCredentials for the button');
        await assertNoInjection(page, 'the credentials page');
        assert.equal(await page.textContent('header .who strong'), XSS_NAME_ID);

        // /api/me reflects the NameID too: as JSON it must never be rendered as HTML.
        await page.goto(`${app.baseUrl}/api/me`);
        assert.equal(
          await page.evaluate<number>('document.querySelectorAll("img, script").length'),
          0,
          '/api/me renders as text',
        );
        assert.ok((await pageText(page)).includes('<script>alert(1)</script>'), '/api/me shows the NameID as text');
      } finally {
        await context.close();
      }
      assert.deepEqual(chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
      assert.deepEqual(watch.cspViolations, [], 'no CSP violation');
    });

    it('shows a cluster id with markup as text on the error page', async () => {
      const { context, page } = await newWatchedContext();
      const dialogsBefore = chromium.dialogs.length;
      idp.response = {};
      try {
        await signInThroughBrowser(page);
        // The chooser's own form, with its valid CSRF token, naming a cluster that does not exist.
        await page.evaluate(
          `document.querySelector('form[action="/credentials"] input[name="cluster"]').value = ${JSON.stringify(XSS_CLUSTER_ID)}`,
        );
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${app.baseUrl}/credentials`),
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
      assert.deepEqual(chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
    });

    it("shows the IdP's status message with markup as text on the ACS error page", async () => {
      const { context, page } = await newWatchedContext();
      const dialogsBefore = chromium.dialogs.length;
      idp.response = { status: { code: 'Responder', subCode: 'AuthnFailed', message: XSS_STATUS_MESSAGE } };
      try {
        const [acs] = await Promise.all([
          page.waitForResponse((r) => r.url() === app.acsUrl),
          signInThroughBrowser(page),
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
        idp.response = {};
        await context.close();
      }
      assert.deepEqual(chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript dialog opened');
    });
  });

  describe('return paths', () => {
    for (const evil of EVIL_RETURN_PATHS) {
      it(`stays on the service for ?returnTo=${JSON.stringify(evil)} and for RelayState ${JSON.stringify(evil)}`, async () => {
        const { context, page, watch } = await newWatchedContext();
        const dialogsBefore = chromium.dialogs.length;
        idp.response = {};
        try {
          await signInThroughBrowser(page, `/login?returnTo=${encodeURIComponent(evil)}`);
          assert.equal(new URL(page.url()).origin, appOrigin, `?returnTo ends on the service, not ${page.url()}`);

          idp.relayStateOverride = evil;
          await signInThroughBrowser(page, '/login');
          assert.equal(new URL(page.url()).origin, appOrigin, `RelayState ends on the service, not ${page.url()}`);
        } finally {
          idp.relayStateOverride = undefined;
          await context.close();
        }
        assert.deepEqual(watch.foreignRequests, [], 'the browser never tried to leave the loopback sites');
        assert.deepEqual(chromium.dialogs.slice(dialogsBefore), [], 'no JavaScript ran');
      });
    }
  });

  // Another site (localhost) gets no SameSite=Lax cookie at all; a sibling origin on the same site
  // (127.0.0.1, another port) does, so there the CSRF token and the JSON-only rule must hold alone.
  for (const kind of ['cross-site', 'same-site'] as const) {
    describe(`forged requests from a ${kind} page with the user signed in`, () => {
      let context: BrowserContext;
      let page: Page;
      let watch: Watch;
      let site: AttackerSite;

      before(async () => {
        site = kind === 'cross-site' ? attacker : sibling;
        ({ context, page, watch } = await newWatchedContext());
        idp.response = {};
        await signInThroughBrowser(page);
        assert.equal(new URL(page.url()).origin, appOrigin);
      });

      after(async () => {
        await context?.close();
      });

      async function stillSignedIn(): Promise<void> {
        await page.goto(`${app.baseUrl}/`);
        assert.ok((await pageText(page)).includes('Signed in as'), 'the session still works');
        const me = await page.evaluate<number>(
          "fetch('/api/me', { headers: { accept: 'application/json' } }).then((r) => r.status)",
        );
        assert.equal(me, 200, '/api/me still answers for the session');
      }

      /** Same-site requests carry the session cookie, so the refusal must come from the CSRF token. */
      function assertRefused(status: number, text: string, what: string): void {
        if (kind === 'cross-site') assert.ok(status === 401 || status === 403, `${what}: refused (${status})`);
        else
          assert.ok(
            status === 403 && text.includes('CSRF_TOKEN_INVALID'),
            `${what}: refused by the CSRF token (${status}: ${text.slice(0, 200)})`,
          );
      }

      it('a top-level auto-submitted form POST to /credentials issues nothing', async () => {
        const mark = app.emulator.calls.length;
        for (const guess of [undefined, '', 'undefined', 'null', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
          const fields: Record<string, string> = {
            role: TEST_ROLE_ARN,
            cluster: 'analytics',
            ...(guess === undefined ? {} : { _csrf: guess }),
          };
          const url = site.page('/csrf-credentials', autoPostPage(`${app.baseUrl}/credentials`, fields));
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${app.baseUrl}/credentials`),
            page.goto(url),
          ]);
          await page.waitForLoadState('load');
          const text = await pageText(page);
          assertRefused(answer.status(), text, `_csrf ${JSON.stringify(guess)}`);
          assert.ok(!text.includes('Your database login'), 'no credentials page');
        }
        assert.equal(getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a forged form');
        await stillSignedIn();
      });

      it('a form POST to /credentials or /logout answered into a frame is refused and unreadable', async () => {
        const mark = app.emulator.calls.length;
        const targets: Array<[string, Record<string, string>]> = [
          ['/credentials', { role: TEST_ROLE_ARN, cluster: 'analytics', _csrf: 'guessed' }],
          ['/logout', {}],
          ['/logout', { _csrf: 'guessed' }],
        ];
        for (const [path, fields] of targets) {
          const html = autoPostPage(`${app.baseUrl}${path}`, fields, {
            target: 'sink',
            before: '<iframe name="sink"></iframe>',
          });
          const refusedBefore = app.refusals.length;
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${app.baseUrl}${path}`),
            page.goto(site.page('/csrf-frame', html)),
          ]);
          // The framed answer is replaced by Chromium's error page (frame-ancestors), so read the code from the log.
          const refusal = app.refusals.slice(refusedBefore).find((r) => r.path === path);
          assertRefused(answer.status(), refusal?.code ?? '(no refusal logged)', path);
          await page.waitForTimeout(200);
          const read = await page.evaluate<string>(readFrameScriptFor('iframe'));
          assert.match(read, /^blocked|^empty/, `the attacker page cannot read the answer of ${path} (${read})`);
        }
        assert.equal(getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials');
        await stillSignedIn();
      });

      it('fetch() to /api/credentials with credentials cannot issue or read anything', async () => {
        const mark = app.emulator.calls.length;
        await page.goto(site.page('/csrf-fetch', '<!doctype html><title>attacker</title><p>hello</p>'));
        const target = `${app.baseUrl}/api/credentials`;
        const body = "JSON.stringify({ cluster: 'analytics' })";
        const attempts: Record<string, string> = {
          json: `{ method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: ${body} }`,
          textPlain: `{ method: 'POST', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: ${body} }`,
          noCors: `{ method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: ${body} }`,
        };
        for (const [name, init] of Object.entries(attempts)) {
          const outcome = await page.evaluate<string>(
            `fetch(${JSON.stringify(target)}, ${init}).then((r) => r.text().then((t) => 'read ' + r.type + ' ' + r.status + ': ' + t.slice(0, 200)), (e) => 'failed: ' + e.name)`,
          );
          assert.ok(
            /^failed/.test(outcome) || /^read opaque 0: $/.test(outcome),
            `${name}: the attacker page reads nothing (${outcome})`,
          );
        }
        assert.equal(getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a cross-origin fetch');
        await stillSignedIn();
      });

      it('a text/plain form POST to /api/credentials (JSON smuggled in a field name) issues nothing', async () => {
        const mark = app.emulator.calls.length;
        // Sends the body {"cluster":"analytics","pad":"="} as text/plain.
        const smuggled = { '{"cluster":"analytics","pad":"': '"}' };
        const html = autoPostPage(`${app.baseUrl}/api/credentials`, smuggled, {
          enctype: 'text/plain',
          target: 'sink',
          before: '<iframe name="sink"></iframe>',
        });
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${app.baseUrl}/api/credentials`),
          page.goto(site.page('/csrf-text-plain', html)),
        ]);
        assert.ok(answer.status() === 401 || answer.status() === 415, `refused (${answer.status()})`);
        await page.waitForTimeout(200);
        assert.match(
          await page.evaluate<string>(readFrameScriptFor('iframe')),
          /^blocked|^empty/,
          'the attacker page cannot read the answer',
        );
        // The same form as a top-level navigation: the person sees an error, not credentials.
        const top = autoPostPage(`${app.baseUrl}/api/credentials`, smuggled, { enctype: 'text/plain' });
        const [topAnswer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${app.baseUrl}/api/credentials`),
          page.goto(site.page('/csrf-text-plain-top', top)),
        ]);
        assert.ok(topAnswer.status() === 401 || topAnswer.status() === 415, `refused (${topAnswer.status()})`);
        assert.equal(getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a text/plain form');
        await stillSignedIn();
      });

      it('the same requests from the service itself do work (so the checks above can fail)', async () => {
        const mark = app.emulator.calls.length;
        await page.goto(`${app.baseUrl}/`);
        const status = await page.evaluate<number>(
          "fetch('/api/credentials', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'analytics' }) }).then((r) => r.status)",
        );
        assert.equal(status, 200, 'a same-origin JSON request issues credentials');
        assert.equal(getClusterCredentialsCalls(mark), 1);
        assert.deepEqual(watch.foreignRequests, []);
      });
    });
  }

  describe('framing and headers', () => {
    it('another site cannot frame the service', async () => {
      const { context, page } = await newWatchedContext();
      const consoleLines: string[] = [];
      page.on('console', (m) => consoleLines.push(m.text()));
      try {
        await page.goto(
          attacker.page(
            '/frame',
            `<!doctype html><title>attacker</title><iframe name="app" src="${app.baseUrl}/" width="600" height="400"></iframe>`,
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
      const { context, page } = await newWatchedContext();
      try {
        const home = await page.goto(`${app.baseUrl}/`);
        assert.ok(home !== null);
        const csp = home.headers()['content-security-policy'] ?? '';
        assert.match(csp, /frame-ancestors 'none'/, `CSP forbids framing (${csp})`);
        assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `CSP allows no inline code (${csp})`);
        assert.match(csp, /script-src 'self'/);
        assert.ok(home.headers()['x-frame-options'] !== undefined, 'X-Frame-Options is set');
        assert.equal(home.headers()['referrer-policy'], 'no-referrer');
        assert.equal(home.headers()['x-content-type-options'], 'nosniff');

        idp.response = {};
        await signInThroughBrowser(page);
        const cookies = await context.cookies(app.baseUrl);
        assert.ok(cookies.length > 0, 'a session cookie');
        for (const cookie of cookies) {
          assert.equal(cookie.httpOnly, true, `${cookie.name} is HttpOnly`);
          assert.equal(cookie.sameSite, 'Lax', `${cookie.name} is SameSite=Lax`);
        }
        const [credentials] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${app.baseUrl}/credentials` && r.request().method() === 'GET'),
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
      const { context, page, watch } = await newWatchedContext();
      const visited: string[] = [];
      page.on('load', () => visited.push(page.url()));
      idp.response = { attributes: { ...defaultTestAttributes, [AWS_ROLE]: BOTH_ROLES } };
      try {
        await page.goto(`${app.baseUrl}/`);
        await assertNoInjection(page, 'the home page');
        await page.goto(`${app.baseUrl}/no-such-page`);
        await assertNoInjection(page, 'the 404 page');
        await signInThroughBrowser(page, '/login?returnTo=%2F');
        await assertNoInjection(page, 'the role chooser');
        await Promise.all([page.waitForURL(/\/\?role=/), page.locator('a.button[href^="/?role="]').first().click()]);
        await assertNoInjection(page, 'the cluster chooser');
        await Promise.all([
          page.waitForURL(`${app.baseUrl}/credentials`),
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
          page.waitForURL(`${app.baseUrl}/`),
          page.locator('form[action="/logout"] button[type="submit"]').click(),
        ]);
        assert.ok(!(await pageText(page)).includes('Signed in as'), 'signed out');
        await assertNoInjection(page, 'the page after sign-out');
      } finally {
        idp.response = {};
        await context.close();
      }
      assert.ok(visited.length >= 5, `visited the flow's pages (${visited.join(', ')})`);
      assert.deepEqual(watch.cspViolations, [], 'no CSP violation on the normal flow');
    });
  });
});

function readFrameScriptFor(selector: string): string {
  return `(() => { const f = document.querySelector(${JSON.stringify(selector)}); try { const d = f.contentWindow.document; return d && d.body && d.body.innerText ? 'read: ' + d.body.innerText.slice(0, 100) : 'empty'; } catch (e) { return 'blocked: ' + e.name; } })()`;
}
