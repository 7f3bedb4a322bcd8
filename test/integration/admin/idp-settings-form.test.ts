// The IdP settings form checks what an admin types with the configuration file's own rules: each
// problem appears beside its field and in a summary at the top that links to the field, the form
// keeps what was typed, and nothing is stored. A valid form stores every setting, and the
// connection the ACS uses carries it at once; clearing a field brings back the default.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AppHarness } from '../../support/app-harness.ts';
import { explicitIdpFields } from '../../support/admin-forms.ts';
import { refusedFormPage, startWithFileAdmin } from '../../support/admin-pages.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { decodeHtml } from '../../support/http-flow.ts';

const ADMIN_IDP = 'file-idp';
const IDP = 'corp';

/** The settings form as a browser sends it with the stored defaults and these changes. */
const FORM = {
  settingsForm: '1',
  enabled: 'on',
  grantsAdmin: 'on',
  wantAssertionsSigned: 'on',
  wantLogoutSigned: 'on',
  maxSessionDurationSeconds: '3600',
};

function fieldError(html: string, name: string): string | undefined {
  const m = new RegExp(`<p class="field-error error-text" id="error-${name}">([^<]*)</p>`).exec(html);
  return m?.[1] === undefined ? undefined : decodeHtml(m[1]);
}

function summaryLinks(html: string): string[] {
  const summary = html.split('id="form-error"')[1]?.split('</div>')[0] ?? '';
  return [...summary.matchAll(/<a href="#field-([\w]+)">/g)].map((m) => m[1] ?? '');
}

describe('the IdP settings form', () => {
  let h: AppHarness;
  let admin: CookieClient;

  before(async () => {
    ({ h, admin } = await startWithFileAdmin(ADMIN_IDP));
    const saved = await h.post(admin, '/admin/idps', explicitIdpFields(IDP));
    assert.equal(saved.status, 303, await saved.text());
  });
  after(() => h.close());

  const stored = async () => (await h.service.store.listConnections('idp')).find((r) => r.id === IDP);

  it('shows each problem beside its field and in a linked summary, keeps the input, and stores nothing', async () => {
    const before = await stored();
    const res = await h.post(admin, `/admin/idps/${IDP}/settings`, {
      ...FORM,
      name: 'Corp (typed)',
      maxResponseAgeSeconds: '10',
      maxAuthnAgeSeconds: 'an hour',
      maxSessionDurationSeconds: '99999',
      clockSkewSeconds: '1.5',
      sloUrl: 'not a url',
      attr_dbUser: 'urn:custom:DbUser',
    });
    const html = await refusedFormPage(res);
    assert.equal(fieldError(html, 'maxResponseAgeSeconds'), 'Number must be greater than or equal to 30');
    assert.equal(fieldError(html, 'maxAuthnAgeSeconds'), 'expected a whole number');
    assert.equal(fieldError(html, 'maxSessionDurationSeconds'), 'Number must be less than or equal to 43200');
    assert.equal(fieldError(html, 'clockSkewSeconds'), 'Expected integer, received float');
    assert.equal(fieldError(html, 'sloUrl'), 'Invalid url');
    assert.equal(fieldError(html, 'name'), undefined, 'no error beside a valid field');
    assert.match(html, /id="form-error"[^>]*>5 settings are not valid \(IDP_INVALID\)/);
    assert.deepEqual(
      summaryLinks(html),
      ['sloUrl', 'clockSkewSeconds', 'maxResponseAgeSeconds', 'maxAuthnAgeSeconds', 'maxSessionDurationSeconds'],
      'in form order',
    );
    assert.match(
      html,
      /id="field-maxAuthnAgeSeconds" name="maxAuthnAgeSeconds" value="an hour"[^>]*aria-invalid="true"/,
    );
    for (const kept of ['value="Corp (typed)"', 'value="not a url"', 'value="99999"', 'value="urn:custom:DbUser"'])
      assert.ok(html.includes(kept), `keeps ${kept}`);
    assert.deepEqual(await stored(), before, 'nothing stored');
    assert.equal(h.service.sp.idp(IDP).maxResponseAgeSeconds, 300);
  });

  it('refuses a response age above the schema limit, naming one problem, keeping the rest typed', async () => {
    const res = await h.post(admin, `/admin/idps/${IDP}/settings`, {
      ...FORM,
      attr_role: 'urn:ok',
      maxResponseAgeSeconds: '3601',
    });
    const html = await refusedFormPage(res);
    assert.equal(fieldError(html, 'maxResponseAgeSeconds'), 'Number must be less than or equal to 3600');
    assert.match(html, /id="form-error"[^>]*>One setting is not valid \(IDP_INVALID\)/);
    assert.ok(html.includes('value="urn:ok"'));
  });

  it('stores every setting of a valid form and the ACS connection carries them at once', async () => {
    const res = await h.post(admin, `/admin/idps/${IDP}/settings`, {
      settingsForm: '1',
      name: 'Corp SSO',
      enabled: 'on',
      allowIdpInitiated: 'on',
      wantResponseSigned: 'on',
      allowSha1Signatures: 'on',
      sloUrl: 'https://idp.test.example/slo',
      clockSkewSeconds: '30',
      maxResponseAgeSeconds: '120',
      maxAuthnAgeSeconds: '7200',
      maxSessionDurationSeconds: '7200',
      attr_dbUser: 'urn:custom:DbUser',
      attr_groups: 'urn:custom:groups',
    });
    assert.equal(res.status, 303, await res.text());
    const idp = h.service.sp.idp(IDP);
    assert.equal(idp.name, 'Corp SSO');
    assert.equal(idp.grantsAdmin, false, 'unticked');
    assert.equal(idp.wantAssertionsSigned, false, 'unticked');
    assert.equal(idp.wantLogoutSigned, false, 'unticked');
    assert.equal(idp.allowIdpInitiated, true);
    assert.equal(idp.wantResponseSigned, true);
    assert.equal(idp.allowSha1Signatures, true);
    assert.equal(idp.sloUrl, 'https://idp.test.example/slo');
    assert.equal(idp.clockSkewSeconds, 30);
    assert.equal(idp.maxResponseAgeSeconds, 120);
    assert.equal(idp.maxAuthnAgeSeconds, 7200);
    assert.equal(idp.maxSessionDurationSeconds, 7200);
    assert.equal(idp.attributes.dbUser, 'urn:custom:DbUser');
    assert.equal(idp.attributes.groups, 'urn:custom:groups');
    assert.equal(idp.attributes.role, 'https://aws.amazon.com/SAML/Attributes/Role', 'an empty one keeps the default');
    const page = await (await admin.get(`/admin/idps/${IDP}`)).text();
    assert.match(page, /name="maxAuthnAgeSeconds" value="7200"/, 'the form shows what is stored');
  });

  it('brings back the defaults when the fields are cleared', async () => {
    assert.equal((await h.post(admin, `/admin/idps/${IDP}/settings`, FORM)).status, 303);
    const idp = h.service.sp.idp(IDP);
    assert.equal(idp.maxResponseAgeSeconds, 300, 'sp.maxResponseAgeSeconds');
    assert.equal(idp.maxAuthnAgeSeconds, undefined);
    assert.equal(idp.clockSkewSeconds, 60, 'sp.clockSkewSeconds');
    assert.equal(idp.sloUrl, undefined);
    assert.equal(idp.attributes.dbUser, 'https://redshift.amazon.com/SAML/Attributes/DbUser');
    const entry = (await stored())?.entry ?? {};
    for (const key of ['maxResponseAgeSeconds', 'maxAuthnAgeSeconds', 'clockSkewSeconds', 'sloUrl'])
      assert.ok(!(key in entry), `${key} removed`);
  });

  it('checks the new-connection form the same way, beside each field, saving nothing', async () => {
    const res = await h.post(admin, '/admin/idps', {
      ...explicitIdpFields('Bad Id!'),
      settingsForm: '1',
      enabled: 'on',
      maxAuthnAgeSeconds: '5',
      sloUrl: 'ftp:',
    });
    const html = await refusedFormPage(res);
    assert.match(fieldError(html, 'id') ?? '', /expected lowercase letters, digits and dashes/);
    assert.equal(fieldError(html, 'maxAuthnAgeSeconds'), 'Number must be greater than or equal to 60');
    assert.equal(fieldError(html, 'sloUrl'), 'Invalid url');
    assert.deepEqual(summaryLinks(html), ['id', 'sloUrl', 'maxAuthnAgeSeconds']);
    assert.ok(html.includes('value="Bad Id!"') && html.includes('value="ftp:"'), 'keeps the input');
    assert.deepEqual(
      (await h.service.store.listConnections('idp')).map((r) => r.id),
      [IDP],
    );
  });

  it('puts a refusal that names no setting beside the input it is about', async () => {
    const res = await h.post(admin, '/admin/idps', explicitIdpFields(IDP));
    const html = await refusedFormPage(res);
    assert.match(fieldError(html, 'id') ?? '', /already exists/);
    assert.match(html, /id="form-error"[^>]*>[^<]*\(IDP_EXISTS\)/);
    assert.deepEqual(summaryLinks(html), ['id']);
  });
});
