// The package's `bin`: `npx redshift-sso` from a checkout runs the CLI (through tsx, no build),
// and usage errors exit 1 with the reason on stderr and nothing on stdout.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

async function npx(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['--no-install', 'redshift-sso', ...args], {
      cwd: root,
      env: { ...process.env, REDSHIFT_SSO_SERVER: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npx redshift-sso', () => {
  it('lists the commands', async () => {
    const help = await npx(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['login', 'logout', 'credentials', 'psql', 'pgpass', 'ca'])
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  });

  it('exits 1 on a usage error, saying why', async () => {
    const missing = await npx(['credentials']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /required option '--cluster <id>'/);
    const badServer = await npx(['login', '--server', 'not a url']);
    assert.equal(badServer.code, 1);
    assert.match(badServer.stderr, /is not a URL/);
  });
});
