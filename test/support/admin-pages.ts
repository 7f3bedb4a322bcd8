// What admin-console tests read back from a running harness: the stored connections (to show a
// refused request changed nothing) and a form page the console sent back with its problems.
import assert from 'node:assert/strict';
import type { AppHarness } from './app-harness.ts';

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
