// Keyboard-only use of the demo in headless Chromium: the skip link comes first and moves focus to
// the main content, Tab reaches the sign-in link, then on the credentials page the copy/show
// buttons and Renew in reading order, and every focused element shows an outline. Then the
// countdown: with the page's clock driven by Playwright, the polite live region changes only at
// whole minutes and at expiry while the visible (aria-hidden) countdown ticks every second.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoInBrowser } from '../support/browser-chromium.ts';

interface Focused {
  name: string;
  tag: string;
  outline: string;
  onScreen: boolean;
}

/** What has focus now: its accessible-ish name, and whether its outline is visible. */
async function focused(page: Page): Promise<Focused> {
  return (await page.evaluate(`(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    const name = (e.getAttribute('aria-label') || e.textContent || '').replace(/\\s+/g, ' ').trim();
    const visible = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
    return { name, tag: e.tagName.toLowerCase(), outline: visible ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : 'none',
      onScreen: r.bottom > 0 && r.right > 0 && r.top < innerHeight + scrollY && r.width > 0 };
  })()`)) as Focused;
}

/** Presses Tab `count` times (or until focus leaves the page), recording each stop. */
async function tabThrough(page: Page, count: number): Promise<Focused[]> {
  const stops: Focused[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now.tag === 'body') break;
    stops.push(now);
  }
  return stops;
}

/** Presses Tab until the focused element's name matches (at most `max` times); fails otherwise. */
async function tabTo(page: Page, name: RegExp, max = 20): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (name.test(now.name)) return now;
    seen.push(now.name);
  }
  return assert.fail(`Tab never reached ${name}; stops: ${seen.join(' | ')}`);
}

function assertInOrder(stops: Focused[], expected: RegExp[], where: string): void {
  let from = 0;
  for (const name of expected) {
    const at = stops.findIndex((s, i) => i >= from && name.test(s.name));
    assert.ok(
      at >= 0,
      `${where}: focus never reached ${name} after stop ${from}; stops: ${stops.map((s) => s.name).join(' | ')}`,
    );
    from = at + 1;
  }
}

describe('keyboard-only use and the announced countdown', () => {
  const demo = demoInBrowser('keyboard-e2e');

  it(
    'signs in and reaches the credentials actions with the keyboard alone, focus always visible',
    { timeout: 90_000 },
    async () => {
      const page = await (await demo.chromium.newContext()).newPage();
      await page.goto(`${demo.service.baseUrl}/`);
      const [skip] = await tabThrough(page, 1);
      assert.equal(skip?.name, 'Skip to main content', 'the skip link is the first stop');
      assert.ok(skip?.onScreen, 'and it shows itself when focused');
      await page.keyboard.press('Enter');
      assert.equal(
        await page.evaluate('document.activeElement.id'),
        'main',
        'the skip link moves focus to the main content',
      );
      const signIn = await tabThrough(page, 1);
      assert.match(signIn[0]?.name ?? '', /^Sign in with Demo IdP/, 'the next stop is the sign-in link');

      const onSignIn = [skip, ...signIn].filter((s): s is Focused => s !== undefined);
      for (const stop of onSignIn) assert.notEqual(stop.outline, 'none', `"${stop.name}" shows no focus outline`);

      // Enter on the link, then the demo IdP's user picker, by keyboard too.
      await Promise.all([page.waitForURL(/\/dev\/idp\/sso/), page.keyboard.press('Enter')]);
      await tabTo(page, /^Alice \(analyst\)/);
      await Promise.all([
        page.waitForURL(`${demo.service.baseUrl}/`, { waitUntil: 'load' }),
        page.keyboard.press('Enter'),
      ]);

      // The cluster chooser: the skip link, then straight to the Get credentials button.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      const get = await tabTo(page, /^Get credentials for Demo cluster/, 1);
      assert.notEqual(get.outline, 'none');
      await Promise.all([
        page.waitForURL(`${demo.service.baseUrl}/credentials`, { waitUntil: 'load' }),
        page.keyboard.press('Enter'),
      ]);

      const stops = await tabThrough(page, 60);
      assertInOrder(
        stops,
        [
          /^Skip to main content$/,
          /^redshift-sso$/,
          /^Sign out$/,
          /^Copy$/,
          /^Show$/,
          /^Copy$/,
          /^Show$/,
          /^Copy$/,
          /^DBeaver$/,
          /^Renew: issue a fresh password$/,
        ],
        'credentials page',
      );
      for (const stop of stops)
        assert.notEqual(stop.outline, 'none', `"${stop.name}" (${stop.tag}) shows no focus outline`);
      for (const stop of stops) assert.ok(stop.onScreen, `"${stop.name}" is focused off screen`);

      // From the top again: the skip link, then the first Show (the password's) opens with Enter.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await tabTo(page, /^Show$/);
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('#db-password').isVisible(), true, 'Enter on Show reveals the password');
    },
  );

  it(
    'announces the countdown politely: at whole minutes and at expiry, never every second',
    { timeout: 120_000 },
    async () => {
      const page = await (await demo.chromium.newContext()).newPage();
      await page.goto(`${demo.service.baseUrl}/login`);
      await Promise.all([
        page.waitForURL(`${demo.service.baseUrl}/`),
        page.getByRole('button', { name: /Alice/ }).click(),
      ]);
      await page.clock.install();
      await Promise.all([
        page.waitForURL(`${demo.service.baseUrl}/credentials`),
        page.getByRole('button', { name: /Get credentials for Demo cluster/ }).click(),
      ]);

      const live = page.locator('#expiry-status');
      assert.equal(await live.getAttribute('aria-live'), 'polite');
      assert.equal(await live.getAttribute('role'), 'status');
      assert.equal(
        await page.locator('.countdown').getAttribute('aria-hidden'),
        'true',
        'the ticking text is hidden from screen readers',
      );
      assert.equal(
        await page.locator('.countdown').evaluate((e) => e.closest('[aria-live]')),
        null,
        'and sits in no live region',
      );

      const expiresAt = Date.parse((await page.locator('[data-expires]').getAttribute('data-expires')) ?? '');
      const first = (await live.textContent()) ?? '';
      assert.match(first, /^The database password expires in (1[45]|15) minutes\.$/);
      await page.evaluate(`(() => {
      window.__said = []; window.__ticks = 0;
      new MutationObserver(() => window.__said.push({ text: document.getElementById('expiry-status').textContent, at: Date.now() }))
        .observe(document.getElementById('expiry-status'), { childList: true, characterData: true, subtree: true });
      new MutationObserver(() => window.__ticks++).observe(document.querySelector('.countdown'), { childList: true, characterData: true, subtree: true });
    })()`);
      await page.clock.runFor(16 * 60_000);
      const said = (await page.evaluate('window.__said')) as Array<{ text: string; at: number }>;
      const ticks = (await page.evaluate('window.__ticks')) as number;

      assert.ok(ticks >= 14 * 60, `the visible countdown ticked every second (${ticks} times)`);
      assert.ok(
        said.length >= 14 && said.length <= 16,
        `the live region changed ${said.length} times in 16 minutes: ${said.map((s) => s.text).join(' / ')}`,
      );
      for (const { text, at } of said) {
        const left = Math.max(0, Math.floor((expiresAt - at) / 1000));
        assert.equal(left % 60, 0, `"${text}" was announced between minutes (${left} s left)`);
        const minutes = left / 60;
        const expected =
          left === 0
            ? 'The database password has expired.'
            : `The database password expires in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
        assert.equal(text, expected);
      }
      assert.deepEqual(
        said.slice(-2).map((s) => s.text),
        ['The database password expires in 1 minute.', 'The database password has expired.'],
      );
      assert.equal(await page.locator('.when-expired').isVisible(), true, 'the visible text says it expired too');
    },
  );
});
