// The CLI end to end against the demo server, whose private PostgreSQL has TLS on with a
// certificate from a CA made for this run: `redshift-sso login` approved in headless Chromium,
// `credentials --format uri` logging in with real psql at sslmode=verify-full as printed, psql and
// pgpass with no password typed, each format through its real client, logout and revocation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { ServiceHome, type SpawnedService } from '../support/spawn-service.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { makeTestCa } from '../support/test-ca.ts';
import { runCli, startCli } from '../support/run-cli.ts';

const execFileP = promisify(execFile);

async function psql(args: string[], env: Record<string, string> = {}): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await execFileP('psql', args, { env: { ...process.env, PGCONNECT_TIMEOUT: '5', ...env } });
    return { ok: true, out: stdout.trim() };
  } catch (err) {
    return { ok: false, out: (err as { stderr?: string }).stderr ?? String(err) };
  }
}

describe('redshift-sso CLI against the demo server (TLS PostgreSQL, verify-full)', () => {
  let service: SpawnedService;
  let chromium: LaunchedChromium;
  let serviceHome: ServiceHome;
  let work: string;
  let env: Record<string, string>;
  const secrets: string[] = [];

  before(async () => {
    serviceHome = ServiceHome.create('cli-e2e');
    work = serviceHome.dir;
    const ca = await makeTestCa(work);
    service = await serviceHome.spawn({ demo: true, env: { DEMO_PG_TLS_DIR: ca.dir } });
    chromium = await launchChromium();
    // A person's own home: the token file, the CA bundle and ~/.pgpass all land here.
    env = {
      HOME: join(work, 'home'),
      XDG_CONFIG_HOME: join(work, 'home', '.config'),
      PGPASSFILE: '',
      REDSHIFT_SSO_SERVER: '',
    };
    delete env.PGPASSFILE;
  });

  after(async () => {
    await chromium?.close();
    await serviceHome?.close();
  });

  /** `login --no-browser`, with Chromium doing what the person would: sign in as alice, Approve. */
  async function loginThroughChromium(): Promise<void> {
    const cli = startCli(['login', '--server', service.baseUrl, '--no-browser'], env);
    const [, url] = await cli.waitForStderr(/^\s+(http:\/\/\S+\/cli\/authorize\?\S+)$/m);
    const page = await (await chromium.newContext()).newPage();
    await page.goto(url ?? '');
    await Promise.all([page.waitForURL(/\/cli\/authorize\?/), page.getByRole('button', { name: /Alice/ }).click()]);
    assert.match((await page.textContent('body')) ?? '', /redshift-sso CLI on .* port \d+/s);
    await Promise.all([
      page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/),
      page.getByRole('button', { name: 'Approve' }).click(),
    ]);
    assert.match((await page.textContent('body')) ?? '', /Signed in/);
    const result = await cli.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Signed in to .* until/);
  }

  it('logs in through the browser, keeps the token 0600, and the printed URI logs in with psql at verify-full', async () => {
    await loginThroughChromium();
    const tokenFile = join(env.XDG_CONFIG_HOME ?? '', 'redshift-sso', 'tokens', `http_127.0.0.1_${service.port}.json`);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    secrets.push((JSON.parse(readFileSync(tokenFile, 'utf8')) as { token: string }).token);

    const uri = await runCli(['credentials', '--cluster', 'demo', '--format', 'uri', '--install-ca'], env);
    assert.equal(uri.code, 0, uri.stderr);
    const printed = uri.stdout.trim();
    assert.match(
      printed,
      /^postgresql:\/\/IAM%3Aalice:[^@]+@127\.0\.0\.1:\d+\/postgres\?sslmode=verify-full&sslrootcert=/,
    );
    const withoutCa = await psql([printed.replace(/&sslrootcert=[^&]+/, ''), '-Atc', 'select current_user']);
    assert.equal(withoutCa.ok, false, 'verify-full really verifies: without the CA it fails');
    const first = await psql([
      printed,
      '-Atc',
      "select current_user || ' ' || ssl from pg_stat_ssl where pid = pg_backend_pid()",
    ]);
    assert.deepEqual(first, { ok: true, out: 'IAM:alice true' }, 'over TLS');
    secrets.push(new URL(printed).password);

    const again = await runCli(['credentials', '--cluster', 'demo', '--format', 'json'], env);
    assert.equal(again.code, 0, again.stderr);
    const second = JSON.parse(again.stdout) as { dbPassword: string; connectionStrings: Record<string, string> };
    assert.notEqual(second.dbPassword, decodeURIComponent(new URL(printed).password), 'a fresh password, no browser');
    assert.deepEqual(await psql([second.connectionStrings.uri ?? '', '-Atc', 'select current_user']), {
      ok: true,
      out: 'IAM:alice',
    });
  });

  it('follows the page instead: download the CA bundle, give its path, and the pasted URI logs in at verify-full', async () => {
    const page = await (await chromium.newContext()).newPage();
    await page.goto(`${service.baseUrl}/login`);
    await Promise.all([page.waitForURL(`${service.baseUrl}/`), page.getByRole('button', { name: /Alice/ }).click()]);
    await Promise.all([
      page.waitForURL(`${service.baseUrl}/credentials`),
      page.getByRole('button', { name: /Get credentials for Demo cluster/ }).click(),
    ]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the CA bundle' }).click(),
    ]);
    const saved = join(work, 'downloads', download.suggestedFilename());
    await download.saveAs(saved);
    await page.fill('#ca-file', saved);
    await Promise.all([
      page.waitForURL(`${service.baseUrl}/credentials`),
      page.getByRole('button', { name: 'Use this path' }).click(),
    ]);
    const pasted = (await page.locator('#conn-uri').textContent()) ?? '';
    secrets.push(new URL(pasted).password);
    assert.equal(new URL(pasted).searchParams.get('sslmode'), 'verify-full');
    assert.deepEqual(await psql([pasted, '-Atc', 'select current_user']), { ok: true, out: 'IAM:alice' });
  });

  it('runs psql with the password only in its environment', async () => {
    const res = await runCli(['psql', '--cluster', 'demo', '--', '-Atc', 'select current_user'], env);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout.trim(), 'IAM:alice');
  });

  it('writes ~/.pgpass keeping every other byte and mode 0600; psql then needs no password', async () => {
    const home = env.HOME ?? '';
    const file = join(home, '.pgpass');
    const others = '# mine\r\nother.example:5439:dev:bob:s3cr\\:et\n*:*:*:carol:pw';
    writeFileSync(file, others, { mode: 0o644 });
    chmodSync(file, 0o644);
    const res = await runCli(['pgpass', '--cluster', 'demo'], env);
    assert.equal(res.code, 0, res.stderr);
    const written = readFileSync(file, 'utf8');
    assert.ok(written.startsWith(`${others}\n`), 'the other lines are kept byte for byte');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const conninfo = res.stdout.trim();
    assert.doesNotMatch(conninfo, /password/);
    assert.deepEqual(await psql([conninfo, '-w', '-Atc', 'select current_user'], { HOME: home }), {
      ok: true,
      out: 'IAM:alice',
    });

    const again = await runCli(['pgpass', '--cluster', 'demo'], env);
    assert.equal(again.code, 0);
    const rewritten = readFileSync(file, 'utf8');
    assert.ok(rewritten.startsWith(`${others}\n`));
    assert.equal(rewritten.split('\n').length, written.split('\n').length, 'the line is replaced, not added');
    assert.notEqual(rewritten, written, 'with the fresh password');
    assert.deepEqual(await psql([conninfo, '-w', '-Atc', 'select current_user'], { HOME: home }), {
      ok: true,
      out: 'IAM:alice',
    });
  });

  it('prints every format so its real client connects: env (psql), URLs and dbt (node-postgres)', async () => {
    const format = async (f: string) => {
      const res = await runCli(['credentials', '--cluster', 'demo', '--format', f], env);
      assert.equal(res.code, 0, res.stderr);
      return res.stdout.trim();
    };
    const envExports = await format('env');
    const viaEnv = await execFileP('bash', ['-c', `${envExports}; psql -Atc 'select current_user'`], {
      env: { PATH: process.env.PATH ?? '' },
    });
    assert.equal(viaEnv.stdout.trim(), 'IAM:alice');

    assert.deepEqual(
      await psql([await format('keywords'), '-Atc', 'select current_user']),
      { ok: true, out: 'IAM:alice' },
      'keywords through psql',
    );

    const ca = readFileSync(join(work, 'ca.crt'), 'utf8');
    const connectAs = async (config: pg.ClientConfig) => {
      const client = new pg.Client({ ...config, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        return (await client.query<{ u: string }>('select current_user as u')).rows[0]?.u;
      } finally {
        await client.end();
      }
    };
    assert.equal(
      await connectAs({ connectionString: await format('uri') }),
      'IAM:alice',
      'node-postgres reads sslrootcert from the URI',
    );
    const sqlalchemy = new URL((await format('sqlalchemy')).replace(/^redshift\+redshift_connector:/, 'postgresql:'));
    assert.equal(sqlalchemy.searchParams.get('sslmode'), 'verify-full');
    assert.equal(
      await connectAs({
        host: sqlalchemy.hostname,
        port: Number(sqlalchemy.port),
        user: decodeURIComponent(sqlalchemy.username),
        password: decodeURIComponent(sqlalchemy.password),
        database: sqlalchemy.pathname.slice(1),
        ssl: { ca },
      }),
      'IAM:alice',
    );
    const dbt = parseYaml(await format('dbt')) as {
      redshift_sso: {
        outputs: {
          default: { host: string; port: number; user: string; password: string; dbname: string; sslmode: string };
        };
      };
    };
    const target = dbt.redshift_sso.outputs.default;
    assert.equal(target.sslmode, 'verify-full');
    assert.equal(
      await connectAs({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        database: target.dbname,
        ssl: { ca },
      }),
      'IAM:alice',
    );
  });

  it('is refused with exit 3 after logout, and after the token is revoked on the web page', async () => {
    const out = await runCli(['logout'], env);
    assert.equal(out.code, 0, out.stderr);
    const afterLogout = await runCli(['credentials', '--cluster', 'demo'], env);
    assert.equal(afterLogout.code, 3);
    assert.match(afterLogout.stderr, /not signed in .*redshift-sso login --server/);

    await loginThroughChromium();
    const token = JSON.parse(
      readFileSync(
        join(env.XDG_CONFIG_HOME ?? '', 'redshift-sso', 'tokens', `http_127.0.0.1_${service.port}.json`),
        'utf8',
      ),
    ) as { token: string };
    secrets.push(token.token);
    // The same person revokes it from "Signed-in tools" in a browser.
    const page = await (await chromium.newContext()).newPage();
    await page.goto(`${service.baseUrl}/cli/tokens`);
    await page.getByRole('button', { name: /Alice/ }).click();
    await page.waitForURL(`${service.baseUrl}/cli/tokens`);
    await Promise.all([
      page.waitForURL(`${service.baseUrl}/cli/tokens`),
      page.getByRole('button', { name: 'Revoke' }).click(),
    ]);
    assert.match((await page.textContent('body')) ?? '', /No tool is signed in/);
    const refused = await runCli(['credentials', '--cluster', 'demo'], env);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /revoked.*TOKEN_REVOKED/s);
  });

  it('exits 2 when the server cannot be reached and 1 on a usage error', async () => {
    const unreachable = await runCli(['login', '--device', '--server', 'http://127.0.0.1:9'], env);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /Cannot reach http:\/\/127\.0\.0\.1:9/);
    const usage = await runCli(['credentials', '--cluster', 'demo', '--format', 'nope'], env);
    assert.equal(usage.code, 1);
  });

  it('never writes a token or password to the service output', async () => {
    await service.stop();
    const output = service.output();
    for (const secret of secrets.filter((s) => s.length > 0))
      assert.ok(
        !output.includes(secret) && !output.includes(encodeURIComponent(secret)),
        'a secret appeared in the log output',
      );
  });
});
