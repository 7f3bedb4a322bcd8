// Admin console helpers for any running service: the admin group, configuration entries and form
// fields for the fixture IdP and cluster, the session's CSRF token, the setup-token sign-in.
import assert from 'node:assert/strict';
// (app-harness.ts imports these too: the cycle is safe, neither module uses the other at load.)
import { TEST_CLUSTER_IDENTIFIER, TEST_SSO_URL } from './app-harness.ts';
import type { CookieClient } from './cookie-client.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from './sign-response.ts';

export const ADMIN_GROUP = 'admins';

/** A configuration-file IdP (the fixture IdP) that may make admins, as file entries do by default. */
export function fileIdpEntry(id: string): Record<string, unknown> {
  return {
    id,
    name: `File IdP ${id}`,
    entityId: TEST_IDP_ISSUER,
    ssoUrl: TEST_SSO_URL,
    certs: [fixtureKeys.idp.certificate],
  };
}

/** The session's CSRF token, read from a page it is on (any running service). */
export async function csrfOf(client: CookieClient): Promise<string> {
  const res = await client.get('/', { accept: 'text/html' });
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1];
  assert.ok(token !== undefined, 'a signed-in page carries the CSRF token');
  return token;
}

/** Enters the setup token on /admin/setup of any running service; asserts it opened the console. */
export async function signInWithSetupToken(client: CookieClient, token: string): Promise<void> {
  const page = await client.get('/admin/setup');
  assert.equal(page.status, 200);
  const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await client.postForm('/admin/setup', { _csrf: pageCsrf, token });
  assert.equal(res.status, 303, 'the setup token opens the console');
  assert.equal(res.headers.get('location'), '/admin');
}

/** Form fields that add an IdP by explicit entity ID, SSO URL and certificate (the fixture IdP's). */
export function explicitIdpFields(id: string, certs: string[] = [fixtureKeys.idp.certificate]): Record<string, string> {
  return {
    action: 'save',
    id,
    name: `IdP ${id}`,
    entityId: TEST_IDP_ISSUER,
    ssoUrl: TEST_SSO_URL,
    certs: certs.join('\n'),
  };
}

/** Form fields for a provisioned cluster on the emulator's cluster, for the fixture role. */
export function clusterFields(id: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    id,
    name: `Cluster ${id}`,
    type: 'provisioned',
    clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
    database: 'analytics',
    roles: TEST_ROLE_ARN,
    ...extra,
  };
}

/** The code of a JSON error body, or undefined. */
export async function errorCode(res: Response): Promise<string | undefined> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
