// More per-IdP settings changed in the admin console (see idp-settings-console.test.ts), in headless
// Chromium, against two instances on one PostgreSQL behind nginx: the Single Logout URL, signed
// logout messages, clock skew, IdP-initiated sign-in and enabled. The connection is added in the
// browser with the defaults first; each test keeps the settings the earlier ones saved.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { SAML } from '@node-saml/node-saml';
import { errorCode } from '../support/admin-forms.ts';
import { fixtureKeys, TEST_IDP_ISSUER } from '../support/sign-response.ts';
import type { SpawnedService } from '../support/spawn-service.ts';
import { upstreamOf } from '../support/two-instances.ts';
import { idpSettingsConsole, IDP, PARTNER_SLO } from './support-idp-settings-console.ts';

describe('every IdP setting set in the console applies on the next sign-in, on both instances', () => {
  const { c, setInConsole, bothInstances, refusedWith, answered, accepted, signedIn, addConnection } =
    idpSettingsConsole();
  before(addConnection);

  it(
    'Single Logout URL: signing out sends the browser to the URL set in the console',
    { timeout: 60_000 },
    async () => {
      await setInConsole({ sloUrl: PARTNER_SLO });
      await bothInstances(async (instance, name) => {
        const client = await signedIn(instance);
        const home = await (await client.get('/', { accept: 'text/html' })).text();
        const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
        await c.h.steer(instance);
        const out = await client.postForm('/logout', { _csrf: csrf });
        const html = await out.text();
        assert.equal(upstreamOf(out), c.h.addr(instance));
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
        const slo = `${c.h.url}/saml/slo/${IDP}`;
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
        await c.h.steer(instance);
        const answer = await client.get(link, { accept: 'application/json' });
        assert.equal(upstreamOf(answer), c.h.addr(instance));
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
});
