// An IdP whose signing certificate ends 10 days from now (generated at test time): every console
// page carries the banner naming it, /metrics exports its days to expiry as 10, and the daily
// check writes a warning to the log. A certificate far from its end gets none of the three, yet
// the console and the gauge still show its days left.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { generateCert } from '../../support/admin-certs.ts';
import { fakeTimers, type FakeTimers } from '../../support/fake-timers.ts';
import { startAppHarness, type AppHarness, TEST_SSO_URL } from '../../support/app-harness.ts';
import { fileIdpEntry } from '../../support/admin-forms.ts';
import type { CookieClient } from '../../support/cookie-client.ts';
import { DAY_MS } from '../../../src/admin/certificate-expiry.ts';

const TOKEN = 'scrape-token-certificate-expiry-0123';
const ADMIN_IDP = 'corp';
const PARTNER_IDP = 'partner';

/** The value of one series in a Prometheus text exposition, or undefined. */
function gauge(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] === name && wanted.every((w) => (match[2] ?? '').split(',').includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('IdP certificate 10 days from expiry', () => {
  let h: AppHarness;
  let admin: CookieClient;
  let timers: FakeTimers;
  let soon: X509Certificate;
  let corp: X509Certificate;

  before(async () => {
    // 10 days and an hour: the days left are rounded down, and the test takes seconds, not an hour.
    const generated = await generateCert('partner-idp-signing', {
      notAfter: new Date(Date.now() + 10 * DAY_MS + 3600_000),
    });
    soon = new X509Certificate(generated.certificate);
    timers = fakeTimers();
    const corpEntry = fileIdpEntry(ADMIN_IDP);
    corp = new X509Certificate((corpEntry.certs as string[])[0] ?? '');
    h = await startAppHarness({
      admin: true,
      idps: [
        corpEntry,
        {
          id: PARTNER_IDP,
          name: 'Partner IdP',
          entityId: 'https://partner.example.test/idp',
          ssoUrl: TEST_SSO_URL,
          certs: [generated.certificate],
        },
      ],
      config: { metrics: { token: TOKEN } },
      certificateExpiryTimers: timers.timers,
    });
    admin = h.newClient();
    await h.signInAsAdmin(admin, ADMIN_IDP);
  });
  after(() => h.close());

  it('shows the banner on every console page, naming the certificate and its 10 days', async () => {
    for (const path of ['/admin', '/admin/clusters', '/admin/audit', '/admin/idps/new', `/admin/idps/${PARTNER_IDP}`]) {
      const html = await (await admin.get(path, { accept: 'text/html' })).text();
      const banner = html.split('class="cert-banner"')[1]?.split('</div>')[0];
      assert.ok(banner !== undefined, `${path} carries the banner`);
      assert.ok(banner.includes(`data-fingerprint="${soon.fingerprint256}"`), path);
      assert.match(banner, /Partner IdP \(partner\)/);
      assert.match(banner.replace(/\s+/g, ' '), /expires in 10 days/);
      assert.ok(!banner.includes(corp.fingerprint256), 'the certificate valid until 2044 is not in the banner');
    }
  });

  it('shows every certificate with its days to expiry on the console home', async () => {
    const html = await (await admin.get('/admin')).text();
    const days = [...html.matchAll(/data-days-left="(-?\d+)">\s*[^<]*\((?:expires in )?\1 days(?: left)?\)/g)].map(
      (m) => Number(m[1]),
    );
    const corpDays = Math.floor((new Date(corp.validTo).getTime() - Date.now()) / DAY_MS);
    assert.deepEqual(
      days.sort((a, b) => a - b),
      [10, corpDays].sort((a, b) => a - b),
    );
  });

  it('exports redshift_sso_idp_certificate_expiry_days with value 10 for that IdP and fingerprint', async () => {
    const res = await h.newClient().get('/metrics', { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /# TYPE redshift_sso_idp_certificate_expiry_days gauge/);
    assert.equal(
      gauge(text, 'redshift_sso_idp_certificate_expiry_days', { idp: PARTNER_IDP, fingerprint: soon.fingerprint256 }),
      10,
    );
    const corpDays = gauge(text, 'redshift_sso_idp_certificate_expiry_days', {
      idp: ADMIN_IDP,
      fingerprint: corp.fingerprint256,
    });
    assert.ok(corpDays !== undefined && corpDays > 6000, `the 2044 certificate is exported too (${String(corpDays)})`);
  });

  it('writes a warning to the log at each daily check, and schedules the next one a day later', async () => {
    assert.equal(timers.pending.length, 1, 'the first check is scheduled');
    for (const round of [1, 2]) {
      const before = h.logs.length;
      await timers.fire();
      const lines = h.logs
        .slice(before)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.module === 'certificate-expiry');
      assert.equal(
        lines.length,
        1,
        `round ${round}: one line, for the certificate close to its end: ${JSON.stringify(lines)}`,
      );
      const [line] = lines;
      assert.equal(line?.level, 40, 'warn');
      assert.equal(line?.idpId, PARTNER_IDP);
      assert.equal(line?.fingerprint, soon.fingerprint256);
      assert.equal(line?.daysLeft, 10);
      assert.equal(line?.msg, 'IdP signing certificate expires in 10 days');
      assert.deepEqual(
        timers.pending.map((t) => t.ms),
        [DAY_MS],
        'the next check is a day later',
      );
    }
  });
});
