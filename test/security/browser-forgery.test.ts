// Browser hardening: another site, or a sibling origin on the same site, can neither forge
// requests with the signed-in user's session nor read the answers, in headless Chromium.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';
import { autoPostPage, type AttackerSite } from './support-browser-sites.ts';
import { readFrameScriptFor, useBrowserSuite } from './support-browser-suite.ts';
import { pageText, type Watch } from './support-browser-watch.ts';

describe('browser hardening (headless Chromium)', () => {
  const suite = useBrowserSuite();

  // Another site (localhost) gets no SameSite=Lax cookie at all; a sibling origin on the same site
  // (127.0.0.1, another port) does, so there the CSRF token and the JSON-only rule must hold alone.
  for (const kind of ['cross-site', 'same-site'] as const) {
    describe(`forged requests from a ${kind} page with the user signed in`, () => {
      let context: BrowserContext;
      let page: Page;
      let watch: Watch;
      let site: AttackerSite;

      before(async () => {
        site = kind === 'cross-site' ? suite.attacker : suite.sibling;
        ({ context, page, watch } = await suite.newWatchedContext());
        suite.idp.response = {};
        await suite.signIn(page);
        assert.equal(new URL(page.url()).origin, suite.appOrigin);
      });

      after(async () => {
        await context?.close();
      });

      async function stillSignedIn(): Promise<void> {
        await page.goto(`${suite.app.baseUrl}/`);
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
        const mark = suite.app.emulator.calls.length;
        for (const guess of [undefined, '', 'undefined', 'null', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
          const fields: Record<string, string> = {
            role: TEST_ROLE_ARN,
            cluster: 'analytics',
            ...(guess === undefined ? {} : { _csrf: guess }),
          };
          const url = site.page('/csrf-credentials', autoPostPage(`${suite.app.baseUrl}/credentials`, fields));
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/credentials`),
            page.goto(url),
          ]);
          await page.waitForLoadState('load');
          const text = await pageText(page);
          assertRefused(answer.status(), text, `_csrf ${JSON.stringify(guess)}`);
          assert.ok(!text.includes('Your database login'), 'no credentials page');
        }
        assert.equal(suite.getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a forged form');
        await stillSignedIn();
      });

      it('a form POST to /credentials or /logout answered into a frame is refused and unreadable', async () => {
        const mark = suite.app.emulator.calls.length;
        const targets: Array<[string, Record<string, string>]> = [
          ['/credentials', { role: TEST_ROLE_ARN, cluster: 'analytics', _csrf: 'guessed' }],
          ['/logout', {}],
          ['/logout', { _csrf: 'guessed' }],
        ];
        for (const [path, fields] of targets) {
          const html = autoPostPage(`${suite.app.baseUrl}${path}`, fields, {
            target: 'sink',
            before: '<iframe name="sink"></iframe>',
          });
          const refusedBefore = suite.app.refusals.length;
          const [answer] = await Promise.all([
            page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}${path}`),
            page.goto(site.page('/csrf-frame', html)),
          ]);
          // The framed answer is replaced by Chromium's error page (frame-ancestors), so read the code from the log.
          const refusal = suite.app.refusals.slice(refusedBefore).find((r) => r.path === path);
          assertRefused(answer.status(), refusal?.code ?? '(no refusal logged)', path);
          await page.waitForTimeout(200);
          const read = await page.evaluate<string>(readFrameScriptFor('iframe'));
          assert.match(read, /^blocked|^empty/, `the attacker page cannot read the answer of ${path} (${read})`);
        }
        assert.equal(suite.getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials');
        await stillSignedIn();
      });

      it('fetch() to /api/credentials with credentials cannot issue or read anything', async () => {
        const mark = suite.app.emulator.calls.length;
        await page.goto(site.page('/csrf-fetch', '<!doctype html><title>attacker</title><p>hello</p>'));
        const target = `${suite.app.baseUrl}/api/credentials`;
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
        assert.equal(suite.getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a cross-origin fetch');
        await stillSignedIn();
      });

      it('a text/plain form POST to /api/credentials (JSON smuggled in a field name) issues nothing', async () => {
        const mark = suite.app.emulator.calls.length;
        // Sends the body {"cluster":"analytics","pad":"="} as text/plain.
        const smuggled = { '{"cluster":"analytics","pad":"': '"}' };
        const html = autoPostPage(`${suite.app.baseUrl}/api/credentials`, smuggled, {
          enctype: 'text/plain',
          target: 'sink',
          before: '<iframe name="sink"></iframe>',
        });
        const [answer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/api/credentials`),
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
        const top = autoPostPage(`${suite.app.baseUrl}/api/credentials`, smuggled, { enctype: 'text/plain' });
        const [topAnswer] = await Promise.all([
          page.waitForResponse((r) => r.url() === `${suite.app.baseUrl}/api/credentials`),
          page.goto(site.page('/csrf-text-plain-top', top)),
        ]);
        assert.ok(topAnswer.status() === 401 || topAnswer.status() === 415, `refused (${topAnswer.status()})`);
        assert.equal(suite.getClusterCredentialsCalls(mark), 0, 'no GetClusterCredentials from a text/plain form');
        await stillSignedIn();
      });

      it('the same requests from the service itself do work (so the checks above can fail)', async () => {
        const mark = suite.app.emulator.calls.length;
        await page.goto(`${suite.app.baseUrl}/`);
        const status = await page.evaluate<number>(
          "fetch('/api/credentials', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cluster: 'analytics' }) }).then((r) => r.status)",
        );
        assert.equal(status, 200, 'a same-origin JSON request issues credentials');
        assert.equal(suite.getClusterCredentialsCalls(mark), 1);
        assert.deepEqual(watch.foreignRequests, []);
      });
    });
  }
});
