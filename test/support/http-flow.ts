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
    const inResponseTo = authnRequestIdOf(start.headers.get('location') ?? '');
    return this.postForm(`/saml/acs/${idpId}`, {
      SAMLResponse: signedResponseTo(this.baseUrl, idpId, { inResponseTo, ...overrides }),
      RelayState: '/',
    });
  }

  /** Signs in through the demo IdP; returns the ACS response (a 303 on success). */
  async signInWithDemoIdp(idpId: string, userId: string, returnTo?: string): Promise<Response> {
    const { action, fields } = await this.demoIdpResponse(idpId, userId, returnTo);
    return this.postForm(new URL(action).pathname, fields);
  }
}

/** The ID of the AuthnRequest carried (deflated, base64) in a Redirect-binding URL. */
export function authnRequestIdOf(redirectUrl: string): string {
  const samlRequest = new URL(redirectUrl).searchParams.get('SAMLRequest');
  if (samlRequest === null) throw new Error('the redirect URL carries no SAMLRequest');
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const id = /<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error('the AuthnRequest has no ID');
  return id;
}

/** The fixture IdP's signed response for the ACS of `idpId` at the service `baseUrl`. */
export function signedResponseTo(baseUrl: string, idpId: string, overrides: SamlResponseOverrides = {}): string {
  const acsUrl = new URL(`/saml/acs/${idpId}`, baseUrl).href;
  return aSamlResponse({ destination: acsUrl, recipient: acsUrl, ...overrides });
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
