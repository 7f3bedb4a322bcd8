// The small things a person notices: the favicon (cached for a year; /favicon.ico answers too),
// the 404 page (the app's layout for a browser, the usual JSON error for an API client), and the
// sign-in pages putting the IdP this browser last chose first, ignoring one that no longer exists.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startAppHarness, TEST_IDP_ID, TEST_SSO_URL, type AppHarness } from '../support/app-harness.ts';
import { fixtureKeys, TEST_IDP_ISSUER } from '../support/sign-response.ts';
import { VIEWS_DIR } from '../../src/web/server.ts';

const LAST_IDP_COOKIE = 'redshift-sso-idp';
const idp = (id: string, name: string) => ({
  id,
  name,
  entityId: `${TEST_IDP_ISSUER}/${id}`,
  ssoUrl: TEST_SSO_URL,
  certs: [fixtureKeys.idp.certificate],
});

/** The IdP IDs in the order the page's sign-in links name them. */
function listedIdps(html: string): string[] {
  return [...html.matchAll(/href="\/login\/([^"?]+)/g)].map((m) => decodeURIComponent(m[1] ?? ''));
}

describe('favicon, 404 page and the remembered IdP', () => {
  let h: AppHarness;

  before(async () => {
    h = await startAppHarness({
      config: {
        idps: [
          { ...idp(TEST_IDP_ID, 'Test IdP'), entityId: TEST_IDP_ISSUER },
          idp('partner', 'Partner Okta'),
          idp('zeta', 'Zeta Entra ID'),
        ],
      },
    });
  });
  after(async () => h?.close());

  it('serves the SVG favicon with a year-long cache, links it from every page, and answers /favicon.ico', async () => {
    const svg = await h.newClient().get('/favicon.svg');
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(svg.headers.get('cache-control') ?? '', /max-age=31536000/);
    assert.equal(await svg.text(), readFileSync(`${VIEWS_DIR}static/favicon.svg`, 'utf8'));
    const ico = await h.newClient().get('/favicon.ico');
    assert.equal(ico.status, 301, 'not a 404');
    assert.equal(ico.headers.get('location'), '/favicon.svg');
    for (const path of ['/', '/login', '/no-such-page']) {
      const html = await (await h.newClient().get(path)).text();
      assert.match(html, /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml">/, path);
    }
  });

  it('answers an unknown address with a 404 page in the layout for a browser, and JSON for an API client', async () => {
    const page = await h.newClient().get('/no/such/page', { accept: 'text/html' });
    assert.equal(page.status, 404);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, /<title>Page not found · redshift-sso<\/title>/);
    assert.match(html, /<a class="skip-link" href="#main">/, 'the shared layout');
    assert.match(html, /<code>NOT_FOUND<\/code>/);
    assert.match(html, /href="\/">Back to the start/);
    assert.doesNotMatch(html, /Sign-in problem|at .*\.ts:\d+/);

    const json = await h.newClient().get('/no/such/page', { accept: 'application/json' });
    assert.equal(json.status, 404);
    const body = (await json.json()) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, 'NOT_FOUND');
    assert.ok(body.error.requestId.length > 0);
    const api = (await (await h.newClient().get('/api/nothing-here')).json()) as { error: { code: string } };
    assert.equal(api.error.code, 'NOT_FOUND', 'under /api/ JSON whatever the Accept header');
  });

  it('lists every IdP by display name, and puts the last one chosen first on both sign-in pages', async () => {
    const browser = h.newClient();
    const first = await (await browser.get('/login')).text();
    assert.deepEqual(listedIdps(first), [TEST_IDP_ID, 'partner', 'zeta'], 'configuration order before any choice');
    assert.match(first, />Partner Okta<\/a>/);
    assert.match(first, />Zeta Entra ID<\/a>/);
    assert.doesNotMatch(first, /last used/);

    const chosen = await browser.get('/login/zeta');
    assert.equal(chosen.status, 302);
    const setCookie = chosen.headers.getSetCookie().find((c) => c.startsWith(`${LAST_IDP_COOKIE}=`)) ?? '';
    assert.match(setCookie, /^redshift-sso-idp=zeta;/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);

    const chooser = await (await browser.get('/login')).text();
    assert.deepEqual(listedIdps(chooser), ['zeta', TEST_IDP_ID, 'partner']);
    assert.match(chooser, /Zeta Entra ID<\/a> <span class="last-used">last used on this browser<\/span>/);
    const home = await (await browser.get('/')).text();
    assert.deepEqual(listedIdps(home), ['zeta', TEST_IDP_ID, 'partner']);
    assert.match(home, />Sign in with Zeta Entra ID<\/a> <span class="last-used">/);

    const other = await (await h.newClient().get('/login')).text();
    assert.deepEqual(listedIdps(other), [TEST_IDP_ID, 'partner', 'zeta'], 'another browser remembers nothing');
  });

  it('remembers nothing for an IdP that does not exist, and ignores a remembered IdP that is gone', async () => {
    const browser = h.newClient();
    const unknown = await browser.get('/login/ghost');
    assert.equal(unknown.status, 404);
    assert.equal(browser.cookie(LAST_IDP_COOKIE), undefined, 'a refused IdP is not remembered');

    browser.setCookie(LAST_IDP_COOKIE, 'removed-idp');
    const html = await (await browser.get('/login')).text();
    assert.deepEqual(listedIdps(html), [TEST_IDP_ID, 'partner', 'zeta']);
    assert.doesNotMatch(html, /last used|removed-idp/);
    browser.setCookie(LAST_IDP_COOKIE, '%3Cscript%3E');
    assert.deepEqual(listedIdps(await (await browser.get('/')).text()), [TEST_IDP_ID, 'partner', 'zeta']);
  });
});
