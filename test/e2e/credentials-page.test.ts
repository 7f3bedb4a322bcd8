// The credentials page in headless Chromium as a person in another time zone, on a browser
// without the clipboard API: reload shows the same login, times read in local time beside UTC,
// Copy falls back to selecting the text, and the countdown turns into "This password expired at".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoInBrowser } from '../support/browser-chromium.ts';

describe('the credentials page in a browser', () => {
  const demo = demoInBrowser('page-e2e', { DEMO_DB_DURATION_SECONDS: '5' });

  it('keeps the login on reload, shows local time and UTC, copies without the clipboard API, and says when it expired', async () => {
    const context = await demo.chromium.browser.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
    // A browser where the async clipboard API does not exist (plain-http intranets, old browsers).
    await context.addInitScript('Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined })');
    const page = await context.newPage();
    await page.goto(`${demo.service.baseUrl}/login`);
    await Promise.all([
      page.waitForURL(`${demo.service.baseUrl}/`),
      page.getByRole('button', { name: /Alice/ }).click(),
    ]);
    await Promise.all([
      page.waitForURL(`${demo.service.baseUrl}/credentials`),
      page.getByRole('button', { name: /Get credentials for Demo cluster/ }).click(),
    ]);
    const password = await page.locator('#db-password').textContent();
    await page.reload();
    assert.equal(await page.locator('#db-password').textContent(), password, 'a reload shows the same login');

    const local = (await page.locator('time.local').textContent()) ?? '';
    const utc = (await page.locator('.utc').textContent()) ?? '';
    assert.match(utc, /^\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/);
    const expected = await page.evaluate(
      `new Date(document.querySelector('time.local').getAttribute('datetime')).toLocaleString()`,
    );
    assert.equal(local, expected, 'local time as the browser writes it');
    assert.ok(!utc.includes(local), 'New York time differs from UTC');

    const copy = page.locator('button[data-copy="db-password"]');
    await copy.click();
    assert.equal(await page.evaluate('String(window.getSelection())'), password, 'the fallback selected the password');
    assert.match((await copy.textContent()) ?? '', /^(Copied|Press Ctrl\+C)$/);

    await page.locator('.when-expired:not([hidden])').waitFor({ timeout: 20_000 });
    assert.match(
      (await page.locator('p.expiry').textContent())?.replace(/\s+/g, ' ') ?? '',
      /This password expired at .+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)\./,
    );
    assert.equal(await page.locator('.when-live').isHidden(), true);
    await context.close();
  });
});
