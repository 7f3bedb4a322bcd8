// Certificate rollover through the admin console: an IdP created in the console trusts the fixture
// `idp` certificate; `idpNext` is added beside it, then the old one is retired by fingerprint. Logins
// keep running the whole time: not one fails while a certificate is added or retired, and once the
// old certificate is gone, responses it signs are refused. No restart anywhere.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AppHarness } from '../../support/app-harness.ts';
import { startWithFileAdmin } from '../../support/admin-pages.ts';
import { explicitIdpFields, errorCode } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { TEST_CLUSTER_IDENTIFIER } from '../../support/app-harness.ts';
import { fixtureKeys, TEST_ROLE_ARN } from '../../support/sign-response.ts';
import type { SigningKey } from '../../../src/dev/saml-response.ts';

const IDP = 'corp';
const OLD = fixtureKeys.idp;
const NEW = fixtureKeys.idpNext;
const fingerprint = (key: SigningKey) => new X509Certificate(key.certificate).fingerprint256;

describe('IdP certificate rollover in the admin console', () => {
  let h: AppHarness;
  let admin: CookieClient;

  before(async () => {
    // The admin signs in through a configuration-file IdP, so changing "corp" never locks them out.
    ({ h, admin } = await startWithFileAdmin('file-admin', {
      clusters: [{ id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    }));
    const created = await h.post(admin, '/admin/idps', explicitIdpFields(IDP, [OLD.certificate]));
    assert.equal(created.status, 303, await created.text());
    assert.equal(created.headers.get('location'), `/admin/idps/${IDP}`);
  });
  after(() => h.close());

  /** One fresh sign-in signed by `key`: its status and, when refused, the error code. */
  async function signInWith(key: SigningKey): Promise<{ status: number; code: string | undefined }> {
    const { res } = await h.signIn(h.newClient(), IDP, { key, json: true });
    return { status: res.status, code: res.status === 303 ? undefined : await errorCode(res) };
  }

  /** Signs in with `key` over and over while `change` runs; every attempt must succeed. */
  async function whileSigningIn(key: SigningKey, change: () => Promise<void>): Promise<number> {
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const loop = (async () => {
      while (running && failures.length === 0) {
        const result = await signInWith(key).catch((err: unknown) => ({ status: 0, code: String(err) }));
        if (result.status === 303) ok += 1;
        else failures.push(`${result.status} ${result.code ?? ''}`);
      }
    })();
    const waitFor = async (count: number) => {
      while (ok < count && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitFor(3);
    const before = ok;
    await change();
    await waitFor(before + 3);
    running = false;
    await loop;
    assert.deepEqual(failures, [], 'no sign-in failed during the change');
    return ok;
  }

  async function trustedFingerprints(): Promise<string[]> {
    const page = await admin.get(`/admin/idps/${IDP}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    return [...html.matchAll(/<code>((?:[0-9A-F]{2}:){31}[0-9A-F]{2})<\/code>/g)].map((m) => m[1] ?? '');
  }

  it('at first trusts only the certificate it was created with', async () => {
    assert.deepEqual(await signInWith(OLD), { status: 303, code: undefined });
    assert.deepEqual(await signInWith(NEW), { status: 401, code: 'SAML_SIGNATURE_INVALID' });
    assert.deepEqual(await trustedFingerprints(), [fingerprint(OLD)]);
  });

  it(
    'rolls over: add the new certificate, then retire the old one, without a failed login in between',
    { timeout: 25_000 },
    async () => {
      const duringAdd = await whileSigningIn(OLD, async () => {
        const res = await h.post(admin, `/admin/idps/${IDP}/certs`, { certificate: NEW.certificate });
        assert.equal(res.status, 303, await res.text());
      });
      assert.ok(duringAdd >= 6);
      assert.deepEqual(await trustedFingerprints(), [fingerprint(OLD), fingerprint(NEW)]);
      assert.deepEqual(await signInWith(OLD), { status: 303, code: undefined }, 'both trusted: the old key');
      assert.deepEqual(await signInWith(NEW), { status: 303, code: undefined }, 'both trusted: the new key');

      const duringRemove = await whileSigningIn(NEW, async () => {
        const res = await h.post(admin, `/admin/idps/${IDP}/certs/remove`, { fingerprint: fingerprint(OLD) });
        assert.equal(res.status, 303, await res.text());
      });
      assert.ok(duringRemove >= 6);
      assert.deepEqual(await trustedFingerprints(), [fingerprint(NEW)]);
      assert.deepEqual(await signInWith(NEW), { status: 303, code: undefined }, 'the new key keeps working');
      assert.deepEqual(
        await signInWith(OLD),
        { status: 401, code: 'SAML_SIGNATURE_INVALID' },
        'the retired key is refused',
      );
    },
  );

  it('refuses to retire the last certificate, an unknown fingerprint, or to add something that is not a certificate', async () => {
    const last = await h.post(admin, `/admin/idps/${IDP}/certs/remove`, { fingerprint: fingerprint(NEW) });
    assert.equal(last.status, 400);
    assert.equal(await errorCode(last), 'LAST_CERTIFICATE');
    const unknown = await h.post(admin, `/admin/idps/${IDP}/certs/remove`, {
      fingerprint: fingerprint(fixtureKeys.attacker),
    });
    assert.equal(unknown.status, 404);
    assert.equal(await errorCode(unknown), 'CERTIFICATE_UNKNOWN');
    const junk = await h.post(admin, `/admin/idps/${IDP}/certs`, {
      certificate: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----',
    });
    assert.equal(junk.status, 400);
    assert.equal(await errorCode(junk), 'CERTIFICATE_INVALID');
    assert.deepEqual(await trustedFingerprints(), [fingerprint(NEW)], 'nothing changed');
    assert.deepEqual(await signInWith(NEW), { status: 303, code: undefined });
  });

  it('adding a certificate that is already trusted changes nothing', async () => {
    const before = (await h.service.store.listConnections('idp'))[0]?.version;
    const res = await h.post(admin, `/admin/idps/${IDP}/certs`, { certificate: NEW.certificate });
    assert.equal(res.status, 303);
    assert.equal((await h.service.store.listConnections('idp'))[0]?.version, before);
    assert.deepEqual(await trustedFingerprints(), [fingerprint(NEW)]);
  });

  it('applies per-IdP settings at the next login: disabled refuses, enabled accepts again', async () => {
    const pending = await h.samlResponseFor(h.newClient(), IDP, { key: NEW });
    // The settings form as a browser sends it: the Enabled box unchecked sends nothing.
    const form = { settingsForm: '1', name: 'Corp (paused)', wantAssertionsSigned: 'on' };
    assert.equal((await h.post(admin, `/admin/idps/${IDP}/settings`, form)).status, 303);
    assert.notEqual((await h.newClient().get(`/login/${IDP}`)).status, 302, 'a disabled IdP starts no sign-in');
    const refused = await h
      .newClient()
      .postForm(`/saml/acs/${IDP}`, { SAMLResponse: pending }, { accept: 'application/json' });
    assert.ok(
      refused.status >= 400 && refused.status < 500,
      `a response to a disabled IdP is refused: ${refused.status}`,
    );
    assert.match(await (await admin.get('/admin')).text(), new RegExp(`Disabled: <a href="/admin/idps/${IDP}">`));
    assert.equal(
      (await h.post(admin, `/admin/idps/${IDP}/settings`, { ...form, name: 'Corp SSO', enabled: 'on' })).status,
      303,
    );
    assert.deepEqual(await signInWith(NEW), { status: 303, code: undefined });
    assert.match(
      await (await h.newClient().get('/')).text(),
      /Sign in with Corp SSO/,
      'the new display name shows at once',
    );
  });
});
