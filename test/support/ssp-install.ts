// Makes sure the Debian tools the SimpleSAMLphp browser tests drive are present: SimpleSAMLphp 1.19
// with PHP's xml and mbstring extensions, Chromium and psql. As root it apt-get installs what is
// missing; otherwise it fails naming the packages. A missing tool is a failure, never a skip.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { commandWorks, ensureDebianPackages, type Requirement } from './debian-packages.ts';

const run = promisify(execFile);

export const SIMPLESAMLPHP_ROOT = '/usr/share/simplesamlphp';
export const CHROMIUM_PATH = '/usr/bin/chromium';

const REQUIREMENTS: Requirement[] = [
  {
    what: `SimpleSAMLphp (${SIMPLESAMLPHP_ROOT})`,
    packages: ['simplesamlphp'],
    present: async () => existsSync(`${SIMPLESAMLPHP_ROOT}/www/saml2/idp/SSOService.php`),
  },
  {
    what: 'PHP with the dom, xml and mbstring extensions',
    packages: ['php-cli', 'php-xml', 'php-mbstring'],
    present: phpHasExtensions,
  },
  { what: `Chromium (${CHROMIUM_PATH})`, packages: ['chromium'], present: async () => existsSync(CHROMIUM_PATH) },
  { what: 'psql', packages: ['postgresql-client'], present: async () => commandWorks('psql', ['--version']) },
];

/** Resolves when every tool is there, installing the missing Debian packages when running as root. */
export async function ensureSimpleSamlPhpTools(): Promise<void> {
  await ensureDebianPackages('the SimpleSAMLphp browser tests', REQUIREMENTS);
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
