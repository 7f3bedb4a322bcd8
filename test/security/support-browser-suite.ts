// What every browser-hardening test file starts: headless Chromium, the service under test, a
// stand-in IdP that posts to its ACS, and two attacker sites (another site on localhost, a sibling
// origin on 127.0.0.1). useBrowserSuite registers the before/after hooks on the enclosing describe.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { CHROMIUM_PATH } from '../support/ssp-install.ts';
import { TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { SECOND_ROLE_ARN, startSecurityApp, type SecurityApp } from './support-app.ts';
import { startAttackerSite, startFakeIdp, type AttackerSite, type FakeIdp } from './support-browser-sites.ts';
import { watchContext, type Watch } from './support-browser-watch.ts';

export const BOTH_ROLES = [`${TEST_ROLE_ARN},${TEST_PRINCIPAL_ARN}`, `${SECOND_ROLE_ARN},${TEST_PRINCIPAL_ARN}`];

interface Parts {
  app: SecurityApp;
  idp: FakeIdp;
  attacker: AttackerSite;
  sibling: AttackerSite;
  chromium: LaunchedChromium;
}

export interface BrowserSuite extends Readonly<Parts> {
  readonly appOrigin: string;
  /** Goes through /login (or `start`), the stand-in IdP and the ACS; resolves once back on the service. */
  signIn(page: Page, start?: string): Promise<void>;
  newWatchedContext(): Promise<{ context: BrowserContext; page: Page; watch: Watch }>;
  getClusterCredentialsCalls(mark: number): number;
}

export function useBrowserSuite(): BrowserSuite {
  const parts: Partial<Parts> = {};
  before(async () => {
    assert.ok(
      existsSync(CHROMIUM_PATH),
      `Chromium is required at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium`,
    );
    [parts.idp, parts.attacker, parts.sibling, parts.chromium] = await Promise.all([
      startFakeIdp(),
      startAttackerSite('localhost'),
      startAttackerSite('127.0.0.1'),
      launchChromium(),
    ]);
    parts.app = await startSecurityApp({ idp: { ssoUrl: parts.idp.ssoUrl } });
    parts.idp.acsUrl = parts.app.acsUrl;
  });

  after(async () => {
    await parts.chromium?.close();
    await Promise.all([parts.app?.close(), parts.idp?.close(), parts.attacker?.close(), parts.sibling?.close()]);
  });

  const started = <K extends keyof Parts>(key: K): Parts[K] => {
    const part = parts[key];
    if (part === undefined) throw new Error(`the browser suite has not started (${key})`);
    return part as Parts[K];
  };
  const suite: BrowserSuite = {
    get app() {
      return started('app');
    },
    get idp() {
      return started('idp');
    },
    get attacker() {
      return started('attacker');
    },
    get sibling() {
      return started('sibling');
    },
    get chromium() {
      return started('chromium');
    },
    get appOrigin() {
      return new URL(started('app').baseUrl).origin;
    },
    async signIn(page, start = '/login') {
      const { appOrigin, idp } = suite;
      await page.goto(`${suite.app.baseUrl}${start}`);
      await page.waitForURL(
        (url) => url.origin !== idp.origin && !(url.origin === appOrigin && url.pathname.startsWith('/login')),
        { waitUntil: 'load' },
      );
    },
    async newWatchedContext() {
      const context = await suite.chromium.newContext();
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.appOrigin });
      const watch = await watchContext(context);
      return { context, page: await context.newPage(), watch };
    },
    getClusterCredentialsCalls(mark) {
      return suite.app.callsSince(mark).filter((c) => c.action === 'GetClusterCredentials').length;
    },
  };
  return suite;
}

/** Browser-side code (the project's tsconfig has no DOM types): what the page can read of a frame. */
export function readFrameScriptFor(selector: string): string {
  return `(() => { const f = document.querySelector(${JSON.stringify(selector)}); try { const d = f.contentWindow.document; return d && d.body && d.body.innerText ? 'read: ' + d.body.innerText.slice(0, 100) : 'empty'; } catch (e) { return 'blocked: ' + e.name; } })()`;
}
