// Debian's headless Chromium (/usr/bin/chromium) driven by playwright-core. Each launch gets a fresh
// profile (Playwright's own temp user-data dir, deleted when the browser closes) and each
// newContext() a fresh cookie jar. Never downloads a browser: `npx playwright install` fails here.
import { chromium, type Browser, type BrowserContext, type Dialog, type Page } from 'playwright-core';
import { CHROMIUM_PATH } from './ssp-install.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  browser: Browser;
  /** A new incognito-like context; any JS dialog it opens is dismissed and recorded in `dialogs`. */
  newContext(): Promise<BrowserContext>;
  /** Every alert/confirm/prompt/beforeunload any page opened, as "type: message @ url". */
  dialogs: string[];
  close(): Promise<void>;
}

export async function launchChromium(options: { timeoutMs?: number } = {}): Promise<LaunchedChromium> {
  const timeout = options.timeoutMs ?? 15_000;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  const dialogs: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    dialogs,
    newContext: async () => {
      const context = await browser.newContext();
      context.setDefaultTimeout(timeout);
      context.on('page', (page) => {
        page.on('dialog', (dialog: Dialog) => {
          dialogs.push(`${dialog.type()}: ${dialog.message()} @ ${page.url()}`);
          void dialog.dismiss().catch(() => undefined);
        });
      });
      contexts.push(context);
      return context;
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** A page in a new context that holds one cookie for `url`: a browser taking over a session signed in over HTTP. */
export async function pageWithCookie(
  browser: LaunchedChromium,
  url: string,
  name: string,
  value: string,
): Promise<Page> {
  const context = await browser.newContext();
  await context.addCookies([{ name, value, url }]);
  return context.newPage();
}
