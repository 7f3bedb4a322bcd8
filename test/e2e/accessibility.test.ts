// Every page a person or an admin can reach, walked for real in headless Chromium and checked
// with axe-core: no serious or critical violation anywhere. A fresh install is set up through the
// console (setup token, first IdP, a second IdP), Bob signs in as admin, Alice as a user, the CLI's
// approval pages are reached through a real device sign-in, and the error pages come from real bad
// input (wrong setup token, garbage SAML responses, a forged form, an unknown address). The walk's
// steps are in support-a11y-console.ts (admin side) and support-a11y-user.ts (user side).
import { describe, it, before, after } from 'node:test';
import { ServiceHome } from '../support/spawn-service.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { startConsoleInstall, type ConsoleInstall } from '../support/console-install.ts';
import { AxeAudit } from '../support/axe.ts';
import { a11yWalk, report } from './support-a11y.ts';
import { adminConsolePages, setUpThroughConsole } from './support-a11y-console.ts';
import { alicePages, bobsUserAndCliPages } from './support-a11y-user.ts';

describe('accessibility of every page (axe-core in Chromium)', () => {
  let install: ConsoleInstall;
  let chromium: LaunchedChromium;

  before(async () => {
    install = await startConsoleInstall({ '/corp': 'corp', '/partner': 'partner' });
    chromium = await launchChromium();
  });

  after(async () => {
    await chromium?.close();
    await install?.close();
  });

  it(
    'finds no serious or critical violation on any page, user or admin, including errors and choosers',
    { timeout: 240_000 },
    async (t) => {
      const walk = a11yWalk(chromium, install);
      const admin = await setUpThroughConsole(walk);
      await adminConsolePages(walk, admin);
      await bobsUserAndCliPages(walk, admin);
      await alicePages(walk);
      report(t, walk.audit, 33);
    },
  );

  it('finds none in demo mode either (the banner on every page)', { timeout: 90_000 }, async (t) => {
    const home = ServiceHome.create('a11y-demo');
    const demo = await home.spawn({ demo: true });
    try {
      const demoAudit = new AxeAudit();
      const page = await (await chromium.newContext()).newPage();
      await page.goto(`${demo.baseUrl}/`);
      await demoAudit.check(page, 'Demo: sign-in page');
      await Promise.all([
        page.waitForURL(/\/dev\/idp\/sso/, { waitUntil: 'load' }),
        page.getByRole('link', { name: /Sign in with Demo IdP/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: built-in IdP user picker');
      await Promise.all([
        page.waitForURL(`${demo.baseUrl}/`, { waitUntil: 'load' }),
        page.getByRole('button', { name: /Alice/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: cluster chooser');
      await Promise.all([
        page.waitForURL(`${demo.baseUrl}/credentials`, { waitUntil: 'load' }),
        page.getByRole('button', { name: /Get credentials for Demo cluster/ }).click(),
      ]);
      await demoAudit.check(page, 'Demo: credentials page');
      report(t, demoAudit, 4);
    } finally {
      await home.close();
    }
  });
});
