// The console's IdP-settings tests (idp-settings-console*.test.ts) share this: two instances on one
// PostgreSQL behind nginx and headless Chromium holding an admin session (hooks registered by
// idpSettingsConsole), the connection added in the browser, settings saved on its page, and sign-ins
// through it whose ACS POST is steered to instance A or B.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, pageWithCookie, type LaunchedChromium } from '../support/browser-chromium.ts';
import { SESSION_COOKIE, TEST_SSO_URL } from '../support/app-harness.ts';
import { errorCode } from '../support/admin-forms.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { HA_ADMIN_GROUP, HA_IDP, startTwoInstances, upstreamOf, type TwoInstances } from '../support/two-instances.ts';
import { fixtureKeys, TEST_IDP_ISSUER, type SamlResponseOverrides } from '../support/sign-response.ts';
import type { SpawnedService } from '../support/spawn-service.ts';

export const IDP = 'partner';
export const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
export const PARTNER_SLO = 'https://idp.test.example/partner-slo';
export const MINUTE = 60_000;
export const ago = (ms: number) => new Date(Date.now() - ms);

export type Overrides = SamlResponseOverrides & { groups?: string[]; unsolicited?: boolean };

/** Filled in by the before hook. */
export interface ConsoleState {
  h: TwoInstances;
  chromium: LaunchedChromium;
  /** The admin's page in Chromium. */
  page: Page;
}

/** Registers the hooks that start and stop everything; call it inside the test file's describe. */
export function idpSettingsConsole() {
  const c = {} as ConsoleState;

  before(async () => {
    c.h = await startTwoInstances();
    c.chromium = await launchChromium();
    // The admin signs in through the configuration file's IdP; the browser takes over that session.
    const admin = c.h.newClient();
    const signedIn = await admin.postForm(`/saml/acs/${HA_IDP}`, {
      SAMLResponse: await c.h.samlResponse(admin, { groups: [HA_ADMIN_GROUP] }),
    });
    assert.equal(signedIn.status, 303, await signedIn.text());
    c.page = await pageWithCookie(c.chromium, c.h.url, SESSION_COOKIE, admin.cookie(SESSION_COOKIE) ?? '');
  });
  after(async () => {
    await c.chromium?.close();
    await c.h?.close();
  });

  async function pageText(): Promise<string> {
    return ((await c.page.textContent('main').catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 1500);
  }

  /** Changes settings on the connection's page and saves; asserts the form took them. */
  async function setInConsole(changes: Record<string, string | boolean>): Promise<void> {
    await c.page.goto(`${c.h.url}/admin/idps/${IDP}`);
    for (const [name, value] of Object.entries(changes)) {
      const input = c.page.locator(`#field-${name}`);
      if (typeof value === 'boolean') await input.setChecked(value);
      else await input.fill(value);
    }
    await Promise.all([
      c.page.waitForURL(`${c.h.url}/admin/idps/${IDP}`),
      c.page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    assert.equal(await c.page.locator('#form-error').count(), 0, `saved without errors: ${await pageText()}`);
    for (const [name, value] of Object.entries(changes)) {
      const input = c.page.locator(`#field-${name}`);
      if (typeof value === 'boolean') assert.equal(await input.isChecked(), value, name);
      else assert.equal(await input.inputValue(), value, name);
    }
  }

  /** A sign-in through the console connection whose ACS POST lands on `instance`. */
  async function signIn(
    instance: SpawnedService,
    overrides: Overrides = {},
  ): Promise<{ res: Response; client: CookieClient }> {
    const client = c.h.newClient();
    const { unsolicited, ...rest } = overrides;
    const samlResponse = await c.h.samlResponse(unsolicited === true ? undefined : client, { idp: IDP, ...rest });
    await c.h.steer(instance);
    const res = await client.postForm(
      `/saml/acs/${IDP}`,
      { SAMLResponse: samlResponse },
      { accept: 'application/json' },
    );
    assert.equal(upstreamOf(res), c.h.addr(instance), 'the ACS POST landed where steered');
    return { res, client };
  }

  async function bothInstances(check: (instance: SpawnedService, name: string) => Promise<void>): Promise<void> {
    await check(c.h.a, 'A');
    await check(c.h.b, 'B');
  }

  const refusedWith = (code: string, overrides: Overrides) => async (instance: SpawnedService, name: string) => {
    const { res } = await signIn(instance, overrides);
    assert.equal(await errorCode(res), code, `refused on ${name}`);
  };
  const answered = (status: number, overrides: Overrides) => async (instance: SpawnedService, name: string) => {
    const { res } = await signIn(instance, overrides);
    assert.equal(res.status, status, `${status} on ${name}: ${await res.text()}`);
  };
  const accepted = (overrides: Overrides) => answered(303, overrides);
  /** A session through the console connection, its ACS POST answered on `instance`. */
  const signedIn = async (instance: SpawnedService): Promise<CookieClient> => {
    const { res, client } = await signIn(instance);
    assert.equal(res.status, 303);
    return client;
  };
  const me = async (client: CookieClient) =>
    (await (await client.get('/api/me', { accept: 'application/json' })).json()) as { dbUser: string; admin: boolean };

  /** Adds the connection on the console's form with the defaults (Preview, then Save). */
  async function addConnection(): Promise<void> {
    await c.page.goto(`${c.h.url}/admin/idps/new`);
    await c.page.fill('#field-id', IDP);
    await c.page.fill('#field-name', 'Partner SSO');
    await c.page.fill('#field-entityId', TEST_IDP_ISSUER);
    await c.page.fill('#field-ssoUrl', TEST_SSO_URL);
    await c.page.fill('#field-certs', fixtureKeys.idp.certificate);
    assert.equal(await c.page.isChecked('#field-grantsAdmin'), false, 'a new connection makes no admins unless ticked');
    await c.page.getByRole('button', { name: 'Preview' }).click();
    await c.page
      .locator('#preview')
      .waitFor()
      .catch(async () => assert.fail(`no preview: ${await pageText()}`));
    await Promise.all([
      c.page.waitForURL(`${c.h.url}/admin/idps/${IDP}`),
      c.page.getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
  }

  return { c, setInConsole, signIn, bothInstances, refusedWith, answered, accepted, signedIn, me, addConnection };
}
