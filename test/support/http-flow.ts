// Walks the browser flow over real HTTP with a cookie jar, the way a browser would: sign-in
// redirect, the demo IdP's user picker, the auto-posted SAMLResponse, the choosers, credentials.
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { CookieClient } from './cookie-client.ts';
import { aSamlResponse, type SamlResponseOverrides } from './sign-response.ts';

/** A cookie client that also walks the browser's sign-in flows. */
export class HttpFlow extends CookieClient {
  /** Through the demo IdP up to the auto-post page; returns the form it would post. */
  async demoIdpResponse(
    idpId: string,
    userId: string,
    returnTo?: string,
  ): Promise<{ action: string; fields: Record<string, string> }> {
    const start = await this.get(
      `/login/${idpId}${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`,
    );
    assert.equal(start.status, 302, 'GET /login/:idp redirects to the IdP');
    const picker = await this.get(start.headers.get('location') ?? '');
    assert.equal(picker.status, 200, 'the demo IdP shows its user picker');
    const html = await picker.text();
    const token = hiddenFields(html).token;
    assert.ok(token, 'the picker carries a request token');
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
    const posted = await this.postForm(decodeHtml(action), { token, userId });
    assert.equal(posted.status, 200, 'the demo IdP signs a response');
    const postPage = await posted.text();
    return {
      action: decodeHtml(/action="([^"]+)" data-auto-submit/.exec(postPage)?.[1] ?? ''),
      fields: hiddenFields(postPage),
    };
  }

  /**
   * SP-initiated sign-in answered with the test IdP's signed response (an IdP configured by certificate); returns the
   * ACS response.
   */
  async signInWithSignedResponse(idpId: string, overrides: SamlResponseOverrides = {}): Promise<Response> {
    const start = await this.get(`/login/${idpId}`);
    assert.equal(start.status, 302, 'GET /login/:idp redirects to the IdP');
    const samlRequest = new URL(start.headers.get('location') ?? '').searchParams.get('SAMLRequest') ?? '';
    const inResponseTo = /\bID="([^"]+)"/.exec(
      inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8'),
    )?.[1];
    const acsUrl = new URL(`/saml/acs/${idpId}`, this.baseUrl).href;
    const samlResponse = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo, ...overrides });
    return this.postForm(`/saml/acs/${idpId}`, { SAMLResponse: samlResponse, RelayState: '/' });
  }

  /** Signs in through the demo IdP; returns the ACS response (a 303 on success). */
  async signInWithDemoIdp(idpId: string, userId: string, returnTo?: string): Promise<Response> {
    const { action, fields } = await this.demoIdpResponse(idpId, userId, returnTo);
    return this.postForm(new URL(action).pathname, fields);
  }
}

export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    if (m[1] !== undefined) fields[m[1]] = decodeHtml(m[2] ?? '');
  }
  return fields;
}

/** Text of the element with this id, HTML entities decoded. */
export function elementText(html: string, id: string): string | undefined {
  const m = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</`).exec(html);
  return m?.[1] === undefined ? undefined : decodeHtml(m[1]);
}

export function decodeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
