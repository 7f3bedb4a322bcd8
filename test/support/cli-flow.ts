// The CLI's sign-in walked over HTTP, the way the CLI and a signed-in browser would: PKCE pairs,
// the approval page and its form, the continue link with the one-time code, the token endpoint.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pkceChallengeS256 } from '../../src/cli-auth/pkce.ts';
import type { CookieClient } from './cookie-client.ts';
import { decodeHtml, hiddenFields } from './http-flow.ts';

export interface AuthorizeParams {
  redirect_uri: string;
  code_challenge: string;
  code_challenge_method: string;
  state: string;
  client_name: string;
  verifier: string;
}

export function authorizeParams(overrides: Partial<AuthorizeParams> = {}): AuthorizeParams {
  const verifier = overrides.verifier ?? randomBytes(32).toString('base64url');
  return {
    redirect_uri: 'http://127.0.0.1:53682/callback',
    code_challenge: pkceChallengeS256(verifier),
    code_challenge_method: 'S256',
    state: randomBytes(16).toString('base64url'),
    client_name: 'redshift-sso CLI on test-host',
    ...overrides,
    verifier,
  };
}

export function authorizePath(p: AuthorizeParams): string {
  const { verifier: _verifier, ...query } = p;
  return `/cli/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'redshift-sso-cli', ...query }).toString()}`;
}

/** The approval page, then Approve or Deny; returns the link back to the loopback listener. */
export async function decideInBrowser(
  client: CookieClient,
  p: AuthorizeParams,
  decision: 'approve' | 'deny',
): Promise<URL> {
  const page = await client.get(authorizePath(p), { accept: 'text/html' });
  assert.equal(page.status, 200, 'the approval page shows');
  const html = await page.text();
  const form = /<form method="post" action="\/cli\/authorize"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  assert.ok(form !== undefined, 'the page has the decision form');
  const res = await client.postForm('/cli/authorize', { ...hiddenFields(form), decision }, { accept: 'text/html' });
  assert.equal(res.status, 200, 'the decision page shows');
  const href = /href="([^"]+)" data-auto-follow/.exec(await res.text())?.[1];
  assert.ok(href !== undefined, 'the page links back to the CLI');
  return new URL(decodeHtml(href));
}

export async function approvedCode(client: CookieClient, p: AuthorizeParams): Promise<string> {
  const back = await decideInBrowser(client, p, 'approve');
  assert.equal(back.origin + back.pathname, p.redirect_uri);
  assert.equal(back.searchParams.get('state'), p.state);
  return back.searchParams.get('code') ?? '';
}

export interface TokenAnswer {
  status: number;
  body: { access_token?: string; token_id?: string; expires_at?: string; error?: string; code?: string };
}

export async function tokenRequest(baseUrl: string, body: Record<string, unknown>): Promise<TokenAnswer> {
  const res = await fetch(new URL('/api/cli/token', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as TokenAnswer['body'] };
}

export function redeemBody(
  p: AuthorizeParams,
  code: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    grant_type: 'authorization_code',
    code,
    code_verifier: p.verifier,
    redirect_uri: p.redirect_uri,
    state: p.state,
    ...overrides,
  };
}

export function bearer(baseUrl: string, token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(new URL(path, baseUrl), {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
