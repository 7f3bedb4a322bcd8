// The headless sign-in (`redshift-sso login --device`) against the demo server: the CLI shows a
// URL and a code, a person approves (or denies) it in a browser session in headless Chromium, and
// the CLI ends signed in (credentials printed, psql logs in) or with exit 3 and the reason.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { demoInBrowser } from '../support/browser-chromium.ts';
import { runCli, startCli } from '../support/run-cli.ts';

const execFileP = promisify(execFile);

describe('redshift-sso login --device against the demo server', () => {
  const demo = demoInBrowser('device-e2e');
  let env: Record<string, string>;

  before(() => {
    env = { HOME: demo.home.path('home'), XDG_CONFIG_HOME: demo.home.path('home/.config'), REDSHIFT_SSO_SERVER: '' };
  });

  /** Starts `login --device`, opens the printed URL in a fresh browser session, signs in as alice and decides. */
  async function deviceLogin(decision: 'Approve' | 'Deny') {
    const cli = startCli(['login', '--device', '--server', demo.service.baseUrl], env);
    const [, userCode] = await cli.waitForStderr(/^\s{4}([A-Z]{4}-[A-Z]{4})$/m);
    const [, url] = await cli.waitForStderr(/enter the code[\s\S]*?or open (\S+)/);
    assert.ok(url?.startsWith(`${demo.service.baseUrl}/cli/device?user_code=`), url);
    const page = await (await demo.chromium.newContext()).newPage();
    await page.goto(url ?? '');
    await Promise.all([
      page.waitForURL(/\/cli\/device\?user_code=/),
      page.getByRole('button', { name: /Alice/ }).click(),
    ]);
    assert.equal(
      await page.locator('.user-code').textContent(),
      userCode,
      'the browser shows the code the terminal shows',
    );
    await page.getByRole('button', { name: decision }).click();
    await page.waitForSelector(decision === 'Approve' ? 'text=Approved' : 'text=Denied');
    return cli.done;
  }

  it('prints a code, is approved in a browser session, then prints credentials that log in', async () => {
    const login = await deviceLogin('Approve');
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /Signed in to/);
    const uri = await runCli(['credentials', '--cluster', 'demo', '--format', 'uri'], env);
    assert.equal(uri.code, 0, uri.stderr);
    const { stdout } = await execFileP('psql', [uri.stdout.trim(), '-Atc', 'select current_user']);
    assert.equal(stdout.trim(), 'IAM:alice');
  });

  it('ends with exit 3 and says so when the code is denied', async () => {
    const login = await deviceLogin('Deny');
    assert.equal(login.code, 3);
    assert.match(login.stderr, /denied in the browser.*CLI_ACCESS_DENIED/);
  });
});
