// Debian's headless Chromium (/usr/bin/chromium) driven by playwright-core. Each launch gets a fresh
// profile (Playwright's own temp user-data dir, deleted when the browser closes) and each
// newContext() a fresh cookie jar. Never downloads a browser: `npx playwright install` fails here.
import { chromium, type Browser, type BrowserContext, type Dialog, type Page } from 'playwright-core';
import { before, after } from 'node:test';
import { ServiceHome, type SpawnedService } from './spawn-service.ts';
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

export interface DemoInBrowser {
  readonly home: ServiceHome;
  readonly service: SpawnedService;
  readonly chromium: LaunchedChromium;
}

/**
 * Registers hooks in the calling describe block: the demo as `npm start` runs it (its data in a home of its own,
 * `env` added) and Chromium, both stopped after the block. Read the properties in tests and later hooks.
 */
export function demoInBrowser(name: string, env: Record<string, string> = {}): DemoInBrowser {
  let home: ServiceHome | undefined;
  let service: SpawnedService | undefined;
  let browser: LaunchedChromium | undefined;
  before(async () => {
    home = ServiceHome.create(name);
    service = await home.spawn({ demo: true, env });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await home?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the demo in a browser has not started');
    return value;
  };
  return {
    get home() {
      return started(home);
    },
    get service() {
      return started(service);
    },
    get chromium() {
      return started(browser);
    },
  };
}
