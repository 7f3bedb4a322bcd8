// Makes sure the Debian tools the SimpleSAMLphp browser tests drive are present: SimpleSAMLphp 1.19
// with PHP's xml and mbstring extensions, Chromium and psql. As root it apt-get installs what is
// missing; otherwise it fails naming the packages. A missing tool is a failure, never a skip.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SIMPLESAMLPHP_ROOT = '/usr/share/simplesamlphp';
export const CHROMIUM_PATH = '/usr/bin/chromium';

interface Requirement {
  what: string;
  packages: string[];
  present: () => Promise<boolean>;
}

const REQUIREMENTS: Requirement[] = [
  { what: `SimpleSAMLphp (${SIMPLESAMLPHP_ROOT})`, packages: ['simplesamlphp'], present: async () => existsSync(`${SIMPLESAMLPHP_ROOT}/www/saml2/idp/SSOService.php`) },
  { what: 'PHP with the dom, xml and mbstring extensions', packages: ['php-cli', 'php-xml', 'php-mbstring'], present: phpHasExtensions },
  { what: `Chromium (${CHROMIUM_PATH})`, packages: ['chromium'], present: async () => existsSync(CHROMIUM_PATH) },
  { what: 'psql', packages: ['postgresql-client'], present: async () => commandWorks('psql', ['--version']) },
];

/** Resolves when every tool is there, installing the missing Debian packages when running as root. */
export async function ensureSimpleSamlPhpTools(): Promise<void> {
  let missing = await missingRequirements();
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  const names = missing.map((r) => r.what).join('; ');
  if (process.getuid?.() !== 0) {
    throw new Error(`missing for the SimpleSAMLphp browser tests: ${names}. Install them with: sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`apt-get install ${packages.join(' ')} failed (needed: ${names}): ${(e.stderr ?? e.message).slice(-2000)}`);
  }
  missing = await missingRequirements();
  if (missing.length > 0) {
    throw new Error(`still missing after apt-get install: ${missing.map((r) => r.what).join('; ')}`);
  }
}

async function missingRequirements(): Promise<Requirement[]> {
  const checks = await Promise.all(REQUIREMENTS.map(async (r) => ({ r, ok: await r.present() })));
  return checks.filter((c) => !c.ok).map((c) => c.r);
}

// php-cli alone reports "libxml" too; SimpleSAMLphp needs dom and xml from php-xml.
async function phpHasExtensions(): Promise<boolean> {
  try {
    const { stdout } = await run('php', ['-m']);
    const modules = new Set(stdout.split('\n').map((line) => line.trim().toLowerCase()));
    return ['dom', 'xml', 'mbstring', 'openssl'].every((m) => modules.has(m));
  } catch {
    return false;
  }
}

async function commandWorks(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
