// Every per-IdP setting changed in the admin console, in headless Chromium, against two instances
// on one PostgreSQL behind nginx: after each Save, the next sign-in through that connection
// follows the new setting on instance A and on instance B alike, with no restart. The admin's
// pages go through nginx (either instance may answer them); each sign-in's ACS POST is steered.
// Here: response and authentication age, SHA-1, signing policy, attribute names, grantsAdmin,
// session duration and a refused value; logout, clock skew, IdP-initiated and enabled are in
// idp-settings-console-more.test.ts. Each test keeps the settings the earlier ones saved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SpawnedService } from '../support/spawn-service.ts';
import { HA_ADMIN_GROUP } from '../support/two-instances.ts';
import { ago, IDP, idpSettingsConsole, MINUTE, SESSION_DURATION } from './support-idp-settings-console.ts';

describe('every IdP setting set in the console applies on the next sign-in, on both instances', () => {
  const { c, setInConsole, signIn, bothInstances, refusedWith, accepted, me, addConnection } = idpSettingsConsole();

  it('adds the connection in the browser with the defaults', { timeout: 60_000 }, async () => {
    await addConnection();
    await bothInstances(accepted({}));
  });

  it(
    'maximum response age: a response 3 minutes old is refused once it is 60 seconds',
    { timeout: 60_000 },
    async () => {
      const stale = { now: ago(3 * MINUTE), authnInstant: ago(3 * MINUTE), notBefore: ago(4 * MINUTE) };
      await accepted(stale)(c.h.a, 'A before the change');
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
      await accepted(old)(c.h.b, 'B before the change');
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
    const { client } = await signIn(c.h.a, custom);
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
      assert.equal(await adminOf(c.h.a), false);
      await setInConsole({ grantsAdmin: true });
      await bothInstances(async (instance, name) => assert.equal(await adminOf(instance), true, name));
    },
  );

  it('maximum session duration: it becomes the STS DurationSeconds', { timeout: 60_000 }, async () => {
    const asking = { extraAttributes: { [SESSION_DURATION]: '3600' } };
    const lastDuration = () =>
      c.h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML').at(-1)?.params.DurationSeconds;
    for (const seconds of ['900', '1800']) {
      await setInConsole({ maxSessionDurationSeconds: seconds });
      await bothInstances(async (instance, name) => {
        await accepted(asking)(instance, name);
        assert.equal(String(lastDuration()), seconds, `DurationSeconds on ${name}`);
      });
    }
  });

  it('shows a refused value beside its field and keeps it, changing nothing', { timeout: 60_000 }, async () => {
    await c.page.goto(`${c.h.url}/admin/idps/${IDP}`);
    await c.page.fill('#field-maxResponseAgeSeconds', '5');
    await c.page.fill('#field-sloUrl', 'not a url');
    await c.page.getByRole('button', { name: 'Save settings' }).click();
    await c.page.locator('#form-error').waitFor();
    assert.match((await c.page.locator('#form-error').textContent()) ?? '', /2 settings are not valid \(IDP_INVALID\)/);
    assert.equal(
      await c.page.locator('#error-maxResponseAgeSeconds').textContent(),
      'Number must be greater than or equal to 30',
    );
    assert.equal(await c.page.inputValue('#field-sloUrl'), 'not a url', 'the input is kept');
    await c.page.locator('#form-error a[href="#field-sloUrl"]').click();
    assert.equal(new URL(c.page.url()).hash, '#field-sloUrl', 'the summary links to the field');
    await bothInstances(
      refusedWith('SAML_RESPONSE_TOO_OLD', {
        now: ago(3 * MINUTE),
        authnInstant: ago(3 * MINUTE),
        notBefore: ago(4 * MINUTE),
      }),
    );
  });
});
