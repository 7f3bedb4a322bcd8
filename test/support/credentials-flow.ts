// Steps the credentials tests share: a signed-in harness, the AWS actions since a mark, the hidden
// fields of a page's form, and the shape of an issued database login.
import assert from 'node:assert/strict';
import type { AppHarness } from './app-harness.ts';
import { decodeHtml, hiddenFields } from './http-flow.ts';

export interface IssuedLogin {
  dbUser: string;
  dbPassword: string;
  expiration: string;
  host: string;
  port: number;
  database: string;
  connectionStrings: Record<string, string>;
}

export async function signedIn(
  h: AppHarness,
  overrides: Parameters<AppHarness['validResponse']>[0] = {},
): Promise<void> {
  const res = await h.signIn(overrides);
  assert.equal(res.status, 303, `sign-in succeeds (${res.status}: ${(await res.text()).slice(0, 300)})`);
}

export function actions(h: AppHarness, mark = 0): string[] {
  return h.callsSince(mark).map((c) => c.action);
}

/** The hidden fields of the form posting to `action` on a page. */
export function formFields(html: string, action: string): Record<string, string> {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((m) => decodeHtml(m[1] ?? '') === action);
  assert.ok(form, `a form posting to ${action}`);
  return hiddenFields(form[2] ?? '');
}
