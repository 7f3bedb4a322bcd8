// A real SAML 2.0 IdP for browser tests: Debian's SimpleSAMLphp 1.19 under PHP's built-in web server,
// with a private config dir (config.php, authsources.php, metadata/) in a temp folder, a fresh (or
// given) signing key, username/password users carrying the AWS and Redshift attributes, and one SP
// entry for us. SimpleSAMLphp reads its metadata on every request, so `update()` reconfigures it
// between flows without a restart. Installing the packages is ssp-install.ts's job.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './spawn-service.ts';
import {
  spEntityIdOf,
  writeConfig,
  type InstanceSecrets,
  type Paths,
  type SimpleSamlPhpOptions,
  type SspKeyPair,
} from './ssp-config.ts';
import { SIMPLESAMLPHP_ROOT } from './ssp-install.ts';

const run = promisify(execFile);

export { SSP_ADMIN_ROLE, SSP_ANALYST_ROLE, SSP_PROVIDER_ARN } from './ssp-config.ts';
export type { SimpleSamlPhpOptions, SspKeyPair, SspUser } from './ssp-config.ts';

/** What `update()` may change: everything but where the IdP and our service are served. */
export type SimpleSamlPhpChanges = Partial<Omit<SimpleSamlPhpOptions, 'spBaseUrl' | 'host'>>;

export interface SimpleSamlPhp {
  /** http://localhost:PORT */
  baseUrl: string;
  metadataUrl: string;
  entityId: string;
  /** The signing certificate it started with. */
  certificatePem: string;
  /** SingleSignOnService.php (SAML 2.0 HTTP-Redirect and IdP-initiated sign-in). */
  ssoUrl: string;
  /** SingleLogoutService.php (SAML 2.0 logout messages; `?ReturnTo=` starts an IdP-initiated logout). */
  sloUrl: string;
  /** The SP entity ID it knows us by. */
  spEntityId: string;
  /** Rewrites the IdP and SP metadata with these changes; SimpleSAMLphp uses them from its next request. */
  update(changes: SimpleSamlPhpChanges): Promise<void>;
  /** What php -S printed plus SimpleSAMLphp's own log, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

const STARTUP_MS = 15_000;

export async function startSimpleSamlPhp(options: SimpleSamlPhpOptions): Promise<SimpleSamlPhp> {
  if (!existsSync(`${SIMPLESAMLPHP_ROOT}/www`))
    throw new Error(`SimpleSAMLphp is not installed at ${SIMPLESAMLPHP_ROOT}; call ensureSimpleSamlPhpTools() first`);
  const dir = await mkdtemp(join(tmpdir(), 'redshift-sso-ssp-'));
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async (): Promise<void> => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      // The workers php -S forks outlive a SIGTERM to their parent: signal the whole process group.
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const host = options.host ?? 'localhost';
    const port = await freePort();
    const baseUrl = `http://${host}:${port}`;
    const paths = await makeDirs(dir);
    const signingKey = options.signingKey ?? (await generateKeyPair(dir));
    const secrets: InstanceSecrets = {
      secretsalt: randomBytes(24).toString('hex'),
      adminPassword: randomBytes(24).toString('hex'),
    };
    let current: SimpleSamlPhpOptions = { ...options, signingKey };
    await writeConfig(paths, baseUrl, current, secrets);

    // php -S maps /module.php/<module>/<page> to module.php with PATH_INFO itself: no router script.
    // It binds 127.0.0.1 (a name could resolve to ::1 only); the browser still calls it `host`.
    // No OPcache: php -S follows opcache.enable (not enable_cli) and would serve a metadata file
    // rewritten by update() from its cache for up to revalidate_freq (2 s).
    child = spawn('php', ['-d', 'opcache.enable=0', '-S', `127.0.0.1:${port}`, '-t', `${SIMPLESAMLPHP_ROOT}/www`], {
      env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(dir, 'config'), PHP_CLI_SERVER_WORKERS: '4' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const metadataUrl = `${baseUrl}/saml2/idp/metadata.php`;
    await waitForOk(metadataUrl, child, () => output);
    return {
      baseUrl,
      metadataUrl,
      entityId: options.entityId ?? metadataUrl,
      certificatePem: signingKey.certificatePem,
      ssoUrl: `${baseUrl}/saml2/idp/SSOService.php`,
      sloUrl: `${baseUrl}/saml2/idp/SingleLogoutService.php`,
      spEntityId: spEntityIdOf(options),
      update: async (changes) => {
        current = { ...current, ...changes };
        await writeConfig(paths, baseUrl, current, secrets);
      },
      logs: async () => {
        const log = await readFile(join(dir, 'log', 'simplesamlphp.log'), 'utf8').catch(() => '');
        const requests = output
          .split('\n')
          .filter((line) => !/ (Accepted|Closing)$/.test(line))
          .join('\n');
        return `${requests}\n--- simplesamlphp.log ---\n${log}`;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function makeDirs(dir: string): Promise<Paths> {
  const names = ['config', 'metadata', 'cert', 'tmp', 'data', 'log', 'sessions'] as const;
  const paths = Object.fromEntries(names.map((name) => [name, join(dir, name)])) as Paths;
  for (const path of Object.values(paths)) await mkdir(path);
  return paths;
}

async function generateKeyPair(dir: string): Promise<SspKeyPair> {
  const keyout = join(dir, 'generated.key');
  const out = join(dir, 'generated.crt');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '30',
    '-subj',
    '/CN=ssp-test',
    '-keyout',
    keyout,
    '-out',
    out,
  ]);
  const pair = { privateKeyPem: await readFile(keyout, 'utf8'), certificatePem: await readFile(out, 'utf8') };
  await Promise.all([rm(keyout), rm(out)]);
  return pair;
}

async function waitForOk(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`php -S exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 2000)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`SimpleSAMLphp did not answer 200 at ${url} within ${STARTUP_MS} ms (${last}):\n${output()}`);
}
