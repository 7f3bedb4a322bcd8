// The console's audit page in Chromium: at 320 px and at desktop width the page itself never
// scrolls sideways (the table scrolls within its own container), even with long NameIDs, ARNs and
// request IDs; and an invalid filter typed into the form comes back as an error beside its field.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startAppHarness, type AppHarness, SESSION_COOKIE, TEST_CLUSTER_IDENTIFIER } from '../support/app-harness.ts';
import { fileIdpEntry } from '../support/admin-forms.ts';
import { launchChromium, pageWithCookie, type LaunchedChromium } from '../support/browser-chromium.ts';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';

const IDP = 'corp';
const LONG = 'a-very-long-name-without-any-break-'.repeat(4);

describe('audit page in a browser', () => {
  let h: AppHarness;
  let chromium: LaunchedChromium;
  let page: Page;

  before(async () => {
    h = await startAppHarness({
      admin: true,
      idps: [fileIdpEntry(IDP)],
      clusters: [{ id: 'warehouse', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] }],
    });
    const admin = h.newClient();
    await h.signInAsAdmin(admin, IDP, { nameId: `${LONG}@example.com` });
    for (let i = 0; i < 20; i += 1) {
      await h.service.store.appendAudit({
        at: new Date(Date.now() - i * 60_000),
        kind: 'credentials_issued',
        outcome: 'ok',
        idpId: IDP,
        nameId: `${LONG}${i}@example.com`,
        roleArn: `arn:aws:iam::123456789012:role/${LONG}`,
        clusterId: 'warehouse',
        dbUser: `IAM:${LONG}`,
        clientIp: '2001:db8:1234:5678:9abc:def0:1234:5678',
        awsRequestIds: ['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'aa1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'],
      });
    }
    chromium = await launchChromium();
    page = await pageWithCookie(chromium, h.baseUrl, SESSION_COOKIE, admin.cookie(SESSION_COOKIE) ?? '');
  });
  after(async () => {
    await chromium?.close();
    await h?.close();
  });

  const widths = () =>
    page.evaluate(() => {
      const region = document.querySelector('.table-scroll') as HTMLElement;
      return {
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        region: region.clientWidth,
        table: region.scrollWidth,
      };
    });

  for (const width of [320, 768, 1280]) {
    it(`fits the page at ${width} px, the table scrolling within its container`, async () => {
      await page.setViewportSize({ width, height: 800 });
      const res = await page.goto(`${h.baseUrl}/admin/audit`);
      assert.equal(res?.status(), 200);
      assert.equal(await page.locator('table.audit tbody tr').count(), 21);
      const w = await widths();
      assert.ok(w.page <= w.viewport, `the page scrolls sideways at ${width} px: ${JSON.stringify(w)}`);
      assert.ok(w.region <= w.viewport);
      if (width === 320) assert.ok(w.table > w.region, 'at 320 px the table scrolls inside its container');
    });
  }

  it('shows an invalid filter as an error beside its field, keeping what was typed', async () => {
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${h.baseUrl}/admin/audit`);
    await page.fill('#filter-from', 'last tuesday');
    await page.fill('#filter-user', 'alice');
    await Promise.all([page.waitForURL(/from=last/), page.click('form.filters button[type=submit]')]);
    assert.equal(await page.locator('#filter-from').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#filter-from-error').textContent()) ?? '', /expected a date/);
    assert.equal(await page.locator('#filter-from').inputValue(), 'last tuesday');
    assert.equal(await page.locator('#filter-user').inputValue(), 'alice');
    assert.match((await page.locator('[role=alert]').textContent()) ?? '', /The filter was not applied/);
    const w = await widths();
    assert.ok(w.page <= w.viewport, `the error page scrolls sideways: ${JSON.stringify(w)}`);
  });
});
