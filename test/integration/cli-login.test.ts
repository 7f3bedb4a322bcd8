// `redshift-sso login` as a child process against the in-process app, the browser's part played
// over HTTP by a signed-in cookie client: approve, deny, a forged callback with the wrong state.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppHarness, type AppHarness } from '../support/app-harness.ts';
import { runCli, startCli, type LiveCli } from '../support/run-cli.ts';
import { decodeHtml, hiddenFields } from '../support/http-flow.ts';
import { execFile } from 'node:child_process';
import { CLI_BIN } from '../support/run-cli.ts';

/** Runs the CLI under `script`, so it has a terminal, answering `input` to its prompt. */
function inTerminal(
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<{ code: number; output: string }> {
  const command = [process.execPath, CLI_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { env: { ...process.env, ...env } },
      (err, stdout) => {
        resolve({ code: (err as { code?: number } | null)?.code ?? 0, output: stdout });
      },
    );
    child.stdin?.end(input);
  });
}

describe('redshift-sso login (loopback)', () => {
  let h: AppHarness;
  let offsetMs = 0;
  let home: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    offsetMs = 0;
    h = await startAppHarness({ now: () => new Date(Date.now() + offsetMs) });
    assert.equal((await h.signIn()).status, 303);
    home = mkdtempSync(join(tmpdir(), 'redshift-sso-cli-'));
    env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), REDSHIFT_SSO_SERVER: '' };
  });
  afterEach(async () => {
    await h.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function authorizeUrl(cli: LiveCli): Promise<URL> {
    const [, url] = await cli.waitForStderr(/^\s+(http:\/\/\S+\/cli\/authorize\?\S+)$/m);
    return new URL(url ?? '');
  }

  async function decide(url: URL, decision: 'approve' | 'deny'): Promise<string> {
    const page = await h.client.get(url.pathname + url.search, { accept: 'text/html' });
    const form =
      /<form method="post" action="\/cli\/authorize"[^>]*>([\s\S]*?)<\/form>/.exec(await page.text())?.[1] ?? '';
    const done = await h.client.postForm(
      '/cli/authorize',
      { ...hiddenFields(form), decision },
      { accept: 'text/html' },
    );
    return decodeHtml(/href="([^"]+)" data-auto-follow/.exec(await done.text())?.[1] ?? '');
  }

  it('signs in when approved, and the stored token gets credentials', async () => {
    const cli = startCli(['login', '--server', h.baseUrl, '--no-browser'], env);
    const back = await decide(await authorizeUrl(cli), 'approve');
    const landing = await fetch(back);
    assert.match(await landing.text(), /Signed in/);
    const result = await cli.done;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readdirSync(join(home, '.config', 'redshift-sso', 'tokens')).length, 1);
    const json = await runCli(['credentials', '--cluster', 'analytics', '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { dbUser: string }).dbUser, 'IAM:alice');
  });

  it('exits 3 when denied in the browser', async () => {
    const cli = startCli(['login', '--server', h.baseUrl, '--no-browser'], env);
    await fetch(await decide(await authorizeUrl(cli), 'deny'));
    const result = await cli.done;
    assert.equal(result.code, 3);
    assert.match(result.stderr, /denied in the browser/);
  });

  it('refuses a callback with the wrong state (exit 3, CLI_STATE_MISMATCH) and keeps no token', async () => {
    const cli = startCli(['login', '--server', h.baseUrl, '--no-browser'], env);
    const url = await authorizeUrl(cli);
    const forged = new URL(url.searchParams.get('redirect_uri') ?? '');
    forged.searchParams.set('code', 'attacker-code');
    forged.searchParams.set('state', 'not-the-state');
    assert.equal((await fetch(forged)).status, 400);
    const result = await cli.done;
    assert.equal(result.code, 3);
    assert.match(result.stderr, /CLI_STATE_MISMATCH/);
    assert.deepEqual(readdirSync(home), [], 'nothing was stored');
  });

  it('says when the role sessions have ended and, in a terminal, offers to sign in again', async () => {
    const cli = startCli(['login', '--server', h.baseUrl, '--no-browser'], env);
    await fetch(await decide(await authorizeUrl(cli), 'approve'));
    assert.equal((await cli.done).code, 0);
    offsetMs = 2 * 3600_000;
    const piped = await runCli(['credentials', '--cluster', 'analytics'], env);
    assert.equal(piped.code, 3, 'no terminal: no question, exit 3');
    assert.match(piped.stderr, /ended with the AWS role sessions.*TOKEN_EXPIRED[\s\S]*redshift-sso login --server/);
    const asked = await inTerminal(['credentials', '--cluster', 'analytics'], env, 'n\n');
    assert.match(asked.output, /Sign in again now\? \[Y\/n\]/);
    assert.equal(asked.code, 3);
  });
});
