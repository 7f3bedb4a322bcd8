// The accessibility walk's moves (accessibility.test.ts): open a page, click through to the next,
// post a hand-made form, sign in at the demo IdP; each page reached is checked with axe-core. Then
// the report: every page checked as diagnostics, failing on any serious or critical finding.
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { LaunchedChromium } from '../support/browser-chromium.ts';
import type { ConsoleInstall } from '../support/console-install.ts';
import { AxeAudit } from '../support/axe.ts';

export /** Lists every page checked (the test's diagnostics), then fails on any serious or critical finding. */
function report(t: TestContext, audit: AxeAudit, atLeast: number): void {
  for (const line of audit.summary()) t.diagnostic(line);
  t.diagnostic(`${audit.pages.length} pages checked`);
  assert.ok(audit.pages.length >= atLeast, `every page was reached (${audit.pages.length})`);
  const failures = audit.failures();
  assert.equal(failures.length, 0, `serious or critical accessibility violations:\n${failures.join('\n')}`);
}

export interface A11yWalk {
  chromium: LaunchedChromium;
  install: ConsoleInstall;
  /** The service's URL. */
  base: string;
  audit: AxeAudit;
  visit(page: Page, path: string, label: string, status?: number): Promise<void>;
  clickTo(page: Page, click: () => Promise<void>, url: string | RegExp, label: string): Promise<void>;
  postFrom(page: Page, action: string, fields: Record<string, string>, label: string): Promise<void>;
  signInThroughIdp(
    page: Page,
    userButton: RegExp,
    idpLink: () => Promise<void>,
    landing: string | RegExp,
  ): Promise<void>;
}

/** A walk through `install` in `chromium`, recording every page checked in one audit. */
export function a11yWalk(chromium: LaunchedChromium, install: ConsoleInstall): A11yWalk {
  const base = install.baseUrl;
  const audit = new AxeAudit();

  /** Opens `path` on the service (or a full URL) and checks it; `status` is the answer expected. */
  async function visit(page: Page, path: string, label: string, status = 200): Promise<void> {
    const res = await page.goto(path.startsWith('http') ? path : `${base}${path}`);
    assert.equal(res?.status(), status, `${label}: ${await install.diagnose(page)}`);
    await audit.check(page, label);
  }

  /** Clicks and waits for the next page to load, then checks it. */
  async function clickTo(page: Page, click: () => Promise<void>, url: string | RegExp, label: string): Promise<void> {
    await Promise.all([page.waitForURL(url, { waitUntil: 'load' }), click()]).catch(async (err: unknown) =>
      assert.fail(`${label}: ${String(err)} ${await install.diagnose(page)}`),
    );
    await audit.check(page, label);
  }

  /** Submits a form built in the page (a forged or hand-made POST), as a browser would send it. */
  async function postFrom(page: Page, action: string, fields: Record<string, string>, label: string): Promise<void> {
    const script = `(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ${JSON.stringify(action)};
      for (const [k, v] of Object.entries(${JSON.stringify(fields)})) { const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
      document.body.appendChild(f); f.submit(); })()`;
    await clickTo(page, () => page.evaluate(script), `${base}${action}`, label);
    assert.equal(new URL(page.url()).pathname, action, `${label}: stays on the refusal`);
    assert.ok(
      (await page.locator('p.meta code').count()) > 0,
      `${label} is an error page: ${await install.diagnose(page)}`,
    );
  }

  async function signInThroughIdp(
    page: Page,
    userButton: RegExp,
    idpLink: () => Promise<void>,
    landing: string | RegExp,
  ): Promise<void> {
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${install.idpBase}/corp/sso`)), idpLink()]);
    await audit.check(page, 'Demo IdP: user picker (stands in for the external IdP)');
    await Promise.all([
      page.waitForURL(landing, { waitUntil: 'load' }),
      page.getByRole('button', { name: userButton }).click(),
    ]).catch(async (err: unknown) =>
      assert.fail(`did not come back from the IdP (${String(err)}) ${await install.diagnose(page)}`),
    );
  }

  return { chromium, install, base, audit, visit, clickTo, postFrom, signInThroughIdp };
}
