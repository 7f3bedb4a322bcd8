// Every per-IdP setting changed in the admin console, in headless Chromium, against two instances
// on one PostgreSQL behind nginx: after each Save, the next sign-in through that connection
// follows the new setting on instance A and on instance B alike, with no restart. The admin's
// pages go through nginx (either instance may answer them); each sign-in's ACS POST is steered.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { SAML } from '@node-saml/node-saml';
import { launchChromium, pageWithCookie, type LaunchedChromium } from '../support/browser-chromium.ts';
import { SESSION_COOKIE, TEST_SSO_URL } from '../support/app-harness.ts';
import { errorCode } from '../support/admin-forms.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { HA_ADMIN_GROUP, HA_IDP, startTwoInstances, upstreamOf, type TwoInstances } from '../support/two-instances.ts';
import { fixtureKeys, TEST_IDP_ISSUER, type SamlResponseOverrides } from '../support/sign-response.ts';
import type { SpawnedService } from '../support/spawn-service.ts';

const IDP = 'partner';
const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';
const PARTNER_SLO = 'https://idp.test.example/partner-slo';
const MINUTE = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms);

type Overrides = SamlResponseOverrides & { groups?: string[]; unsolicited?: boolean };

describe('every IdP setting set in the console applies on the next sign-in, on both instances', () => {
  let h: TwoInstances;
  let chromium: LaunchedChromium;
  let page: Page;

  before(async () => {
    h = await startTwoInstances();
    chromium = await launchChromium();
    // The admin signs in through the configuration file's IdP; the browser takes over that session.
    const admin = h.newClient();
    const signedIn = await admin.postForm(`/saml/acs/${HA_IDP}`, {
      SAMLResponse: await h.samlResponse(admin, { groups: [HA_ADMIN_GROUP] }),
    });
    assert.equal(signedIn.status, 303, await signedIn.text());
    page = await pageWithCookie(chromium, h.url, SESSION_COOKIE, admin.cookie(SESSION_COOKIE) ?? '');
  });
  after(async () => {
    await chromium?.close();
    await h?.close();
  });

  async function pageText(): Promise<string> {
    return ((await page.textContent('main').catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 1500);
  }

  /** Changes settings on the connection's page and saves; asserts the form took them. */
  async function setInConsole(changes: Record<string, string | boolean>): Promise<void> {
    await page.goto(`${h.url}/admin/idps/${IDP}`);
    for (const [name, value] of Object.entries(changes)) {
      const input = page.locator(`#field-${name}`);
      if (typeof value === 'boolean') await input.setChecked(value);
      else await input.fill(value);
    }
    await Promise.all([
      page.waitForURL(`${h.url}/admin/idps/${IDP}`),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    assert.equal(await page.locator('#form-error').count(), 0, `saved without errors: ${await pageText()}`);
    for (const [name, value] of Object.entries(changes)) {
      const input = page.locator(`#field-${name}`);
      if (typeof value === 'boolean') assert.equal(await input.isChecked(), value, name);
      else assert.equal(await input.inputValue(), value, name);
    }
  }

  /** A sign-in through the console connection whose ACS POST lands on `instance`. */
  async function signIn(
    instance: SpawnedService,
    overrides: Overrides = {},
  ): Promise<{ res: Response; client: CookieClient }> {
    const client = h.newClient();
    const { unsolicited, ...rest } = overrides;
    const samlResponse = await h.samlResponse(unsolicited === true ? undefined : client, { idp: IDP, ...rest });
    await h.steer(instance);
    const res = await client.postForm(
      `/saml/acs/${IDP}`,
      { SAMLResponse: samlResponse },
      { accept: 'application/json' },
    );
    assert.equal(upstreamOf(res), h.addr(instance), 'the ACS POST landed where steered');
    return { res, client };
  }

  async function bothInstances(check: (instance: SpawnedService, name: string) => Promise<void>): Promise<void> {
    await check(h.a, 'A');
    await check(h.b, 'B');
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

  it('adds the connection in the browser with the defaults', { timeout: 60_000 }, async () => {
    await page.goto(`${h.url}/admin/idps/new`);
    await page.fill('#field-id', IDP);
    await page.fill('#field-name', 'Partner SSO');
    await page.fill('#field-entityId', TEST_IDP_ISSUER);
    await page.fill('#field-ssoUrl', TEST_SSO_URL);
    await page.fill('#field-certs', fixtureKeys.idp.certificate);
    assert.equal(await page.isChecked('#field-grantsAdmin'), false, 'a new connection makes no admins unless ticked');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page
      .locator('#preview')
      .waitFor()
      .catch(async () => assert.fail(`no preview: ${await pageText()}`));
    await Promise.all([
      page.waitForURL(`${h.url}/admin/idps/${IDP}`),
      page.getByRole('button', { name: 'Save', exact: true }).click(),
    ]);
    await bothInstances(accepted({}));
  });

  it(
    'maximum response age: a response 3 minutes old is refused once it is 60 seconds',
    { timeout: 60_000 },
    async () => {
      const stale = { now: ago(3 * MINUTE), authnInstant: ago(3 * MINUTE), notBefore: ago(4 * MINUTE) };
      await accepted(stale)(h.a, 'A before the change');
      await setInConsole({ maxResponseAgeSeconds: '60' });
      await bothInstances(refusedWith('SAML_RESPONSE_TOO_OLD', stale));
      await bothInstances(accepted({}));
    },
  );

  it(
    'maximum authentication age: an authentication 2 hours old is refused once it is an hour',
    { timeout: 60_000 },
    async () => {
      const old = { authnInstant: ago(120 * MINUTE) };
      await accepted(old)(h.b, 'B before the change');
      await setInConsole({ maxAuthnAgeSeconds: '3600' });
      await bothInstances(refusedWith('SAML_AUTHN_TOO_OLD', old));
    },
  );

  it('SHA-1 allowance: an RSA-SHA1 signed response is accepted once ticked', { timeout: 60_000 }, async () => {
    const sha1 = { signatureAlgorithm: 'sha1' as const };
    await bothInstances(refusedWith('SAML_ALGORITHM_NOT_ALLOWED', sha1));
    await setInConsole({ allowSha1Signatures: true });
    await bothInstances(accepted(sha1));
    await setInConsole({ allowSha1Signatures: false });
    await bothInstances(refusedWith('SAML_ALGORITHM_NOT_ALLOWED', sha1));
  });

  it(
    'signing policy: a signed Response is required, then a signed assertion no longer is',
    { timeout: 60_000 },
    async () => {
      await setInConsole({ wantResponseSigned: true });
      await bothInstances(refusedWith('SAML_SIGNATURE_INVALID', {}));
      await bothInstances(accepted({ signResponse: true }));
      const responseOnly = { signResponse: true, signAssertion: false };
      await setInConsole({ wantResponseSigned: false });
      await bothInstances(refusedWith('SAML_SIGNATURE_INVALID', responseOnly));
      await setInConsole({ wantAssertionsSigned: false });
      await bothInstances(accepted(responseOnly));
      await setInConsole({ wantAssertionsSigned: true });
    },
  );

  it('attribute names: the DB user is read from the attribute named in the console', { timeout: 60_000 }, async () => {
    const custom = { extraAttributes: { 'urn:partner:login': 'carol_partner' } };
    await setInConsole({ attr_dbUser: 'urn:partner:login' });
    await bothInstances(async (instance, name) => {
      const { res, client } = await signIn(instance, custom);
      assert.equal(res.status, 303, `${name}: ${await res.text()}`);
      assert.equal((await me(client)).dbUser, 'carol_partner', name);
    });
    await setInConsole({ attr_dbUser: '' });
    const { client } = await signIn(h.a, custom);
    assert.equal((await me(client)).dbUser, 'alice', 'the default attribute again');
  });

  it(
    'grantsAdmin: members of admin.groups become admins through it only once ticked',
    { timeout: 60_000 },
    async () => {
      const adminGroup = { groups: [HA_ADMIN_GROUP] };
      const adminOf = async (instance: SpawnedService) => {
        const { res, client } = await signIn(instance, adminGroup);
        assert.equal(res.status, 303, await res.text());
        return (await me(client)).admin;
      };
      assert.equal(await adminOf(h.a), false);
      await setInConsole({ grantsAdmin: true });
      await bothInstances(async (instance, name) => assert.equal(await adminOf(instance), true, name));
    },
  );

  it('maximum session duration: it becomes the STS DurationSeconds', { timeout: 60_000 }, async () => {
    const asking = { extraAttributes: { [SESSION_DURATION]: '3600' } };
    const lastDuration = () =>
      h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML').at(-1)?.params.DurationSeconds;
    for (const seconds of ['900', '1800']) {
      await setInConsole({ maxSessionDurationSeconds: seconds });
      await bothInstances(async (instance, name) => {
        await accepted(asking)(instance, name);
        assert.equal(String(lastDuration()), seconds, `DurationSeconds on ${name}`);
      });
    }
  });

  it(
    'Single Logout URL: signing out sends the browser to the URL set in the console',
    { timeout: 60_000 },
    async () => {
      await setInConsole({ sloUrl: PARTNER_SLO });
      await bothInstances(async (instance, name) => {
        const client = await signedIn(instance);
        const home = await (await client.get('/', { accept: 'text/html' })).text();
        const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
        await h.steer(instance);
        const out = await client.postForm('/logout', { _csrf: csrf });
        const html = await out.text();
        assert.equal(upstreamOf(out), h.addr(instance));
        assert.ok(
          html.includes(`href="${PARTNER_SLO}?SAMLRequest=`),
          `${name} continues to the partner SLO URL: ${html.slice(0, 400)}`,
        );
      });
    },
  );

  it(
    'signed logout messages: an unsigned LogoutRequest from the IdP ends the session once unticked',
    { timeout: 60_000 },
    async () => {
      // Anyone who knows a NameID can build this link: no signature, Redirect binding.
      const unsignedLogout = async () => {
        const slo = `${h.url}/saml/slo/${IDP}`;
        const idpSide = new SAML({
          issuer: TEST_IDP_ISSUER,
          callbackUrl: `${PARTNER_SLO}/unused`,
          entryPoint: slo,
          logoutUrl: slo,
          idpCert: fixtureKeys.sp.certificate,
          wantAuthnResponseSigned: false,
        });
        const subject = {
          issuer: TEST_IDP_ISSUER,
          nameID: 'alice@example.com',
          nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        };
        const url = new URL(await idpSide.getLogoutUrlAsync(subject, '', {}));
        return `${url.pathname}${url.search}`;
      };
      const logoutOn = async (instance: SpawnedService) => {
        const client = await signedIn(instance);
        const link = await unsignedLogout();
        await h.steer(instance);
        const answer = await client.get(link, { accept: 'application/json' });
        assert.equal(upstreamOf(answer), h.addr(instance));
        return { answer, client };
      };
      await bothInstances(async (instance, name) => {
        const { answer, client } = await logoutOn(instance);
        assert.equal(await errorCode(answer), 'SAML_LOGOUT_UNSIGNED', name);
        assert.equal(
          (await client.get('/api/me', { accept: 'application/json' })).status,
          200,
          `${name}: the session survives`,
        );
      });
      await setInConsole({ wantLogoutSigned: false });
      await bothInstances(async (instance, name) => {
        const { answer, client } = await logoutOn(instance);
        assert.equal(answer.status, 302, `${name}: ${await answer.text()}`);
        assert.ok(
          answer.headers.get('location')?.startsWith(`${PARTNER_SLO}?SAMLResponse=`),
          `${name}: a LogoutResponse to the IdP`,
        );
        assert.equal((await client.get('/api/me', { accept: 'application/json' })).status, 401, `${name}: signed out`);
      });
    },
  );

  it(
    'clock skew: a NotBefore 90 seconds ahead is accepted once the skew is 120 seconds',
    { timeout: 60_000 },
    async () => {
      const ahead = { notBefore: new Date(Date.now() + 90_000) };
      await bothInstances(refusedWith('SAML_NOT_YET_VALID', ahead));
      await setInConsole({ clockSkewSeconds: '120' });
      await bothInstances(accepted({ notBefore: new Date(Date.now() + 90_000) }));
    },
  );

  it(
    'IdP-initiated sign-in: a response without InResponseTo is accepted once allowed',
    { timeout: 60_000 },
    async () => {
      await bothInstances(refusedWith('SAML_UNSOLICITED', { unsolicited: true }));
      await setInConsole({ allowIdpInitiated: true });
      await bothInstances(accepted({ unsolicited: true }));
    },
  );

  it(
    'enabled: an unticked connection refuses sign-ins, and a ticked one takes them again',
    { timeout: 60_000 },
    async () => {
      await setInConsole({ enabled: false });
      await bothInstances(answered(404, { unsolicited: true }));
      await setInConsole({ enabled: true });
      await bothInstances(accepted({ unsolicited: true }));
    },
  );

  it('shows a refused value beside its field and keeps it, changing nothing', { timeout: 60_000 }, async () => {
    await page.goto(`${h.url}/admin/idps/${IDP}`);
    await page.fill('#field-maxResponseAgeSeconds', '5');
    await page.fill('#field-sloUrl', 'not a url');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#form-error').waitFor();
    assert.match((await page.locator('#form-error').textContent()) ?? '', /2 settings are not valid \(IDP_INVALID\)/);
    assert.equal(
      await page.locator('#error-maxResponseAgeSeconds').textContent(),
      'Number must be greater than or equal to 30',
    );
    assert.equal(await page.inputValue('#field-sloUrl'), 'not a url', 'the input is kept');
    await page.locator('#form-error a[href="#field-sloUrl"]').click();
    assert.equal(new URL(page.url()).hash, '#field-sloUrl', 'the summary links to the field');
    await bothInstances(
      refusedWith('SAML_RESPONSE_TOO_OLD', {
        now: ago(3 * MINUTE),
        authnInstant: ago(3 * MINUTE),
        notBefore: ago(4 * MINUTE),
      }),
    );
  });
});
