// What admin-console tests read back from a running harness: the stored connections (to show a
// refused request changed nothing), a form page the console sent back with its problems, and a
// harness with a signed-in admin.
import assert from 'node:assert/strict';
import { fileIdpEntry } from './admin-forms.ts';
import { startAppHarness, type AppHarness, type AppHarnessOptions } from './app-harness.ts';
import type { CookieClient } from './cookie-client.ts';

/** The connections version and every stored IdP and cluster row, as one comparable string. */
export async function connectionsSnapshot(h: AppHarness): Promise<string> {
  const store = h.service.store;
  return JSON.stringify([
    await store.connectionsVersion(),
    await store.listConnections('idp'),
    await store.listConnections('cluster'),
  ]);
}

/** Asserts the form was refused (400, the form shown again) and returns the page. */
export async function refusedFormPage(res: Response): Promise<string> {
  assert.equal(res.status, 400);
  return res.text();
}

/** The items of the problem list at the top of a refused form (`<ul>` under #form-error). */
export function formProblemList(html: string): string {
  return html.split('id="form-error"')[1]?.split('</ul>')[0] ?? '';
}

/** A harness with the admin console's setup and one configuration-file IdP `idpId`, and a client
 *  signed in through it as an admin. */
export async function startWithFileAdmin(
  idpId: string,
  options: AppHarnessOptions = {},
): Promise<{ h: AppHarness; admin: CookieClient }> {
  const h = await startAppHarness({ admin: true, idps: [fileIdpEntry(idpId)], ...options });
  const admin = h.newClient();
  await h.signInAsAdmin(admin, idpId);
  return { h, admin };
}

/** A new client in the setup-token session of a fresh install (the token the service issues now). */
export async function setupTokenClient(h: AppHarness): Promise<CookieClient> {
  const client = h.newClient();
  await h.signInWithSetupToken(client, (await h.service.issueSetupToken()) ?? '');
  return client;
}
