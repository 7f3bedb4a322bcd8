// A real SAML 2.0 IdP for browser tests: Debian's SimpleSAMLphp 1.19 under PHP's built-in web server,
// with a private config dir (config.php, authsources.php, metadata/) in a temp folder, a fresh signing
// key, username/password users carrying the AWS and Redshift attributes, and one SP entry for us.
// Installing the packages is ssp-install.ts's job.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './spawn-service.ts';
import { SIMPLESAMLPHP_ROOT } from './ssp-install.ts';

const run = promisify(execFile);

export const SSP_PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp';
export const SSP_ANALYST_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const SSP_ADMIN_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAdmin';
export const ATTR = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  dbUser: 'https://redshift.amazon.com/SAML/Attributes/DbUser',
  dbGroups: 'https://redshift.amazon.com/SAML/Attributes/DbGroups',
  email: 'urn:oid:0.9.2342.19200300.100.1.3',
} as const;
const URI_NAME_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

export interface SspUser {
  username: string;
  password: string;
  /** Attribute name (full URI) -> values, released as they are. */
  attributes: Record<string, string[]>;
}

export interface SimpleSamlPhpOptions {
  /** Our service's base URL, e.g. http://127.0.0.1:PORT. */
  spBaseUrl: string;
  /** The IdP connection id in our config: the ACS is `${spBaseUrl}/saml/acs/${idpId}`. Default 'ssp'. */
  idpId?: string;
  /** Default `${spBaseUrl}/saml/metadata`, our SP's default entity ID. */
  spEntityId?: string;
  /** Host name the IdP is served as; default 'localhost' (a different site from 127.0.0.1). */
  host?: string;
  users?: SspUser[];
  /** Audiences added beside the SP entity ID; default ['urn:amazon:webservices']. */
  extraAudiences?: string[];
  signAssertion?: boolean;
  /** SimpleSAMLphp's default is true. */
  signResponse?: boolean;
  /** Require signed AuthnRequests (checked with spCertificatePem). */
  validateAuthnRequest?: boolean;
  /** Encrypt assertions to spCertificatePem. */
  encryptAssertion?: boolean;
  signLogout?: boolean;
  /** Announce `${spBaseUrl}/saml/slo/${idpId}` as the SP's SingleLogoutService. */
  singleLogout?: boolean;
  /** Our SP's signing / encryption certificate (PEM). */
  spCertificatePem?: string;
}

export interface SimpleSamlPhp {
  /** http://localhost:PORT */
  baseUrl: string;
  metadataUrl: string;
  entityId: string;
  certificatePem: string;
  /** What php -S printed plus SimpleSAMLphp's own log, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export const defaultSspUsers: SspUser[] = [
  {
    username: 'alice',
    password: 'alicepass',
    attributes: {
      uid: ['alice'],
      [ATTR.role]: [`${SSP_ANALYST_ROLE},${SSP_PROVIDER_ARN}`],
      [ATTR.roleSessionName]: ['alice'],
      [ATTR.dbUser]: ['alice'],
      [ATTR.dbGroups]: ['analysts'],
      [ATTR.email]: ['alice@example.com'],
    },
  },
  {
    username: 'bob',
    password: 'bobpass',
    attributes: {
      uid: ['bob'],
      [ATTR.role]: [`${SSP_ANALYST_ROLE},${SSP_PROVIDER_ARN}`, `${SSP_ADMIN_ROLE},${SSP_PROVIDER_ARN}`],
      [ATTR.roleSessionName]: ['bob'],
      [ATTR.dbUser]: ['bob'],
      [ATTR.dbGroups]: ['analysts', 'admins'],
      [ATTR.email]: ['bob@example.com'],
    },
  },
];

const STARTUP_MS = 15_000;

export async function startSimpleSamlPhp(options: SimpleSamlPhpOptions): Promise<SimpleSamlPhp> {
  if (!existsSync(`${SIMPLESAMLPHP_ROOT}/www`)) throw new Error(`SimpleSAMLphp is not installed at ${SIMPLESAMLPHP_ROOT}; call ensureSimpleSamlPhpTools() first`);
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
    const { certificatePem } = await writeConfig(dir, baseUrl, options);

    // php -S maps /module.php/<module>/<page> to module.php with PATH_INFO itself: no router script.
    // It binds 127.0.0.1 (a name could resolve to ::1 only); the browser still calls it `host`.
    child = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', `${SIMPLESAMLPHP_ROOT}/www`], {
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
      entityId: metadataUrl,
      certificatePem,
      logs: async () => {
        const log = await readFile(join(dir, 'log', 'simplesamlphp.log'), 'utf8').catch(() => '');
        const requests = output.split('\n').filter((line) => !/ (Accepted|Closing)$/.test(line)).join('\n');
        return `${requests}\n--- simplesamlphp.log ---\n${log}`;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function writeConfig(dir: string, baseUrl: string, options: SimpleSamlPhpOptions): Promise<{ certificatePem: string }> {
  const paths = Object.fromEntries(['config', 'metadata', 'cert', 'tmp', 'data', 'log', 'sessions'].map((name) => [name, join(dir, name)]));
  for (const path of Object.values(paths)) await mkdir(path);
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=ssp-test',
    '-keyout', join(paths.cert ?? '', 'idp.key'), '-out', join(paths.cert ?? '', 'idp.crt'),
  ]);
  const certificatePem = await readFile(join(paths.cert ?? '', 'idp.crt'), 'utf8');
  const spBaseUrl = options.spBaseUrl.replace(/\/+$/, '');
  const sp = new URL(spBaseUrl);
  const idp = new URL(baseUrl);

  const config = {
    baseurlpath: `${baseUrl}/`,
    certdir: paths.cert,
    loggingdir: paths.log,
    datadir: paths.data,
    tempdir: paths.tmp,
    metadatadir: paths.metadata,
    secretsalt: randomBytes(24).toString('hex'),
    'auth.adminpassword': randomBytes(24).toString('hex'),
    technicalcontact_name: 'redshift-sso tests',
    technicalcontact_email: 'tests@example.com',
    timezone: 'UTC',
    'enable.saml20-idp': true,
    'module.enable': { exampleauth: true, core: true, saml: true, admin: true },
    // Plain HTTP on loopback: a Secure session cookie would never come back.
    'session.cookie.secure': false,
    'session.cookie.samesite': 'Lax',
    'language.cookie.secure': false,
    'session.phpsession.savepath': paths.sessions,
    'store.type': 'phpsession',
    // RelayState and logout ReturnTo URLs are checked against this list (host:port when not 80/443).
    'trusted.url.domains': [sp.host, idp.host],
    'logging.handler': 'file',
    'logging.logfile': 'simplesamlphp.log',
    'logging.level': 7, // SimpleSAML\Logger::DEBUG
    debug: { saml: false, backtraces: true, validatexml: false },
    showerrors: true,
    errorreporting: false,
    production: true,
  };
  const users = options.users ?? defaultSspUsers;
  const userEntries = Object.fromEntries(users.map((u) => [`${u.username}:${u.password}`, u.attributes]));
  const authsourcesPhp = `<?php\n$config = ${php({ 'example-userpass': { 0: 'exampleauth:UserPass', ...userEntries } })};\n`;

  const idpHosted = {
    host: '__DEFAULT__',
    privatekey: 'idp.key',
    certificate: 'idp.crt',
    auth: 'example-userpass',
    'attributes.NameFormat': URI_NAME_FORMAT,
    'signature.algorithm': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  };
  const idpId = options.idpId ?? 'ssp';
  const spEntityId = options.spEntityId ?? `${spBaseUrl}/saml/metadata`;
  const spRemote: Record<string, unknown> = {
    AssertionConsumerService: `${spBaseUrl}/saml/acs/${idpId}`,
    NameIDFormat: PERSISTENT,
    // The persistent NameID is the user's uid (1.19 names the option `attribute`).
    authproc: { 10: { class: 'saml:AttributeNameID', attribute: 'uid', Format: PERSISTENT } },
    'attributes.NameFormat': URI_NAME_FORMAT,
    'saml20.sign.assertion': options.signAssertion ?? true,
    'saml20.sign.response': options.signResponse ?? true,
    'validate.authnrequest': options.validateAuthnRequest ?? false,
    'assertion.encryption': options.encryptAssertion ?? false,
    'sign.logout': options.signLogout ?? false,
    audience: options.extraAudiences ?? ['urn:amazon:webservices'],
  };
  if (options.singleLogout === true) spRemote.SingleLogoutService = `${spBaseUrl}/saml/slo/${idpId}`;
  if (options.spCertificatePem !== undefined) {
    spRemote.keys = [{ encryption: true, signing: true, type: 'X509Certificate', X509Certificate: pemBody(options.spCertificatePem) }];
  } else if (options.validateAuthnRequest === true || options.encryptAssertion === true) {
    throw new Error('validateAuthnRequest and encryptAssertion need spCertificatePem');
  }

  await writeFile(join(paths.config ?? '', 'config.php'), `<?php\n$config = ${php(config)};\n`);
  await writeFile(join(paths.config ?? '', 'authsources.php'), authsourcesPhp);
  await writeFile(join(paths.metadata ?? '', 'saml20-idp-hosted.php'), `<?php\n$metadata['__DYNAMIC:1__'] = ${php(idpHosted)};\n`);
  await writeFile(join(paths.metadata ?? '', 'saml20-sp-remote.php'), `<?php\n$metadata[${php(spEntityId)}] = ${php(spRemote)};\n`);
  return { certificatePem };
}

/** A JSON-like value as a PHP literal: strings single-quoted, arrays and objects as PHP arrays. */
export function php(value: unknown, indent = ''): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${php(v, inner)},\n`).join('')}${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inner}${/^\d+$/.test(k) ? k : php(k)} => ${php(v, inner)},\n`);
  return `[\n${entries.join('')}${indent}]`;
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
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
