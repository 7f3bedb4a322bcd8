// What the browser tests watch: CSP violations (console messages and securitypolicyviolation
// events), navigations that try to leave the loopback sites, and DOM checks for injected markup.
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';

export interface Watch {
  /** CSP violations seen on any page of the context, as "page-url: text". */
  cspViolations: string[];
  /** Requests to anywhere but localhost / 127.0.0.1 (blocked before they leave). */
  foreignRequests: string[];
}

const CSP_CONSOLE = /Content Security Policy|Refused to (?:load|execute|apply|frame|connect|send form|evaluate)/i;

/** Watches every page of `context`: CSP reports and foreign requests (which are aborted). */
export async function watchContext(context: BrowserContext): Promise<Watch> {
  const watch: Watch = { cspViolations: [], foreignRequests: [] };
  // Init scripts run before the page's own and are not subject to its CSP. Browser-side code is
  // passed as text throughout: the project's tsconfig has no DOM types.
  await context.addInitScript(
    "window.addEventListener('securitypolicyviolation', (e) => console.warn('CSP violation event: ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' in ' + e.documentURI));",
  );
  const onPage = (page: Page): void => {
    page.on('console', (msg) => {
      const text = msg.text();
      if (CSP_CONSOLE.test(text) || text.startsWith('CSP violation event'))
        watch.cspViolations.push(`${page.url()}: ${text}`);
    });
  };
  context.on('page', onPage);
  for (const page of context.pages()) onPage(page);
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') {
      await route.continue();
      return;
    }
    watch.foreignRequests.push(url.href);
    await route.abort('blockedbyclient');
  });
  return watch;
}

/** Nothing a hostile value could have injected exists in the page, and no inline script or style. */
export async function assertNoInjection(page: Page, where: string): Promise<void> {
  const found = await page.evaluate<Record<string, number>>(`({
    injectedImages: document.querySelectorAll('img[src="x"], img[onerror]').length,
    handlerAttributes: Array.from(document.querySelectorAll('*')).filter((el) => Array.from(el.attributes).some((a) => /^on/i.test(a.name))).length,
    foreignScripts: Array.from(document.scripts).filter((s) => !s.src || new URL(s.src).origin !== location.origin || !new URL(s.src).pathname.startsWith('/static/')).length,
    inlineStyles: document.querySelectorAll('style, [style]').length,
    javascriptUrls: Array.from(document.querySelectorAll('[href], [src], [action], [formaction]')).filter((el) =>
      ['href', 'src', 'action', 'formaction'].some((name) => /^\\s*javascript:/i.test(el.getAttribute(name) || '')),
    ).length,
  })`);
  assert.deepEqual(
    found,
    { injectedImages: 0, handlerAttributes: 0, foreignScripts: 0, inlineStyles: 0, javascriptUrls: 0 },
    `no injected markup on ${where} (${page.url()})`,
  );
}

/** The visible text of the page (what a person reads). */
export function pageText(page: Page): Promise<string> {
  return page.evaluate<string>("document.body ? document.body.innerText : ''");
}
