// A real SAML 2.0 IdP for browser tests: Debian's SimpleSAMLphp 1.19 under PHP's built-in web server,
// with a private config dir (config.php, authsources.php, metadata/) in a temp folder, a fresh (or
// given) signing key, username/password users carrying the AWS and Redshift attributes, and one SP
// entry for us. SimpleSAMLphp reads its metadata on every request, so `update()` reconfigures it
// between flows without a restart. Installing the packages is ssp-install.ts's job.
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

export interface SspKeyPair {
  privateKeyPem: string;
  certificatePem: string;
}

export interface SimpleSamlPhpOptions {
  /** Our service's base URL, e.g. http://127.0.0.1:PORT. */
  spBaseUrl: string;
  /** The IdP connection id in our config: the ACS is `${spBaseUrl}/saml/acs/${idpId}`. Default 'ssp'. */
  idpId?: string;
  /**
   * More IdP connection ids in our config that name this same IdP: each gets an ACS endpoint after
   * the first (`idpId`'s, the default one, which IdP-initiated sign-ins use).
   */
  extraIdpIds?: string[];
  /** The IdP's entity ID; default its metadata URL (SimpleSAMLphp's `__DYNAMIC:1__`). */
  entityId?: string;
  /** The IdP's signing key; default a fresh RSA-2048 key and self-signed certificate. */
  signingKey?: SspKeyPair;
  /**
   * A second key published beside the first (`new_privatekey`/`new_certificate`), as in a key
   * rollover: the metadata lists both certificates, SimpleSAMLphp still signs with `signingKey`.
   */
  nextSigningKey?: SspKeyPair;
  /** `signature.algorithm` of the hosted IdP; default RSA-SHA256. */
  signatureAlgorithm?: string;
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
  /** Require our LogoutRequests and LogoutResponses to be signed (checked with spCertificatePem). */
  validateLogout?: boolean;
  /** Announce `${spBaseUrl}/saml/slo/${idpId}` as the SP's SingleLogoutService. */
  singleLogout?: boolean;
  /** Our SP's signing / encryption certificate (PEM). */
  spCertificatePem?: string;
}

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

interface InstanceSecrets {
  secretsalt: string;
  adminPassword: string;
}

type Paths = Record<'config' | 'metadata' | 'cert' | 'tmp' | 'data' | 'log' | 'sessions', string>;

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

function spEntityIdOf(options: SimpleSamlPhpOptions): string {
  return options.spEntityId ?? `${options.spBaseUrl.replace(/\/+$/, '')}/saml/metadata`;
}

async function writeConfig(
  paths: Paths,
  baseUrl: string,
  options: SimpleSamlPhpOptions,
  secrets: InstanceSecrets,
): Promise<void> {
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
    secretsalt: secrets.secretsalt,
    'auth.adminpassword': secrets.adminPassword,
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

  const signingKey = options.signingKey;
  if (signingKey === undefined) throw new Error('writeConfig needs the signing key');
  await writeFile(join(paths.cert, 'idp.key'), signingKey.privateKeyPem, { mode: 0o600 });
  await writeFile(join(paths.cert, 'idp.crt'), signingKey.certificatePem);
  const idpHosted: Record<string, unknown> = {
    host: '__DEFAULT__',
    privatekey: 'idp.key',
    certificate: 'idp.crt',
    auth: 'example-userpass',
    'attributes.NameFormat': URI_NAME_FORMAT,
    'signature.algorithm': options.signatureAlgorithm ?? 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  };
  if (options.nextSigningKey !== undefined) {
    await writeFile(join(paths.cert, 'new_idp.key'), options.nextSigningKey.privateKeyPem, { mode: 0o600 });
    await writeFile(join(paths.cert, 'new_idp.crt'), options.nextSigningKey.certificatePem);
    idpHosted.new_privatekey = 'new_idp.key';
    idpHosted.new_certificate = 'new_idp.crt';
  }
  const idpId = options.idpId ?? 'ssp';
  const spEntityId = spEntityIdOf(options);
  const acsUrls = [idpId, ...(options.extraIdpIds ?? [])].map((id) => `${spBaseUrl}/saml/acs/${id}`);
  const spRemote: Record<string, unknown> = {
    // One URL stays a plain string, as before; several are endpoints with the default (POST) binding.
    AssertionConsumerService: acsUrls.length === 1 ? acsUrls[0] : acsUrls,
    NameIDFormat: PERSISTENT,
    // The persistent NameID is the user's uid (1.19 names the option `attribute`).
    authproc: { 10: { class: 'saml:AttributeNameID', attribute: 'uid', Format: PERSISTENT } },
    'attributes.NameFormat': URI_NAME_FORMAT,
    'saml20.sign.assertion': options.signAssertion ?? true,
    'saml20.sign.response': options.signResponse ?? true,
    'validate.authnrequest': options.validateAuthnRequest ?? false,
    'assertion.encryption': options.encryptAssertion ?? false,
    'sign.logout': options.signLogout ?? false,
    'validate.logout': options.validateLogout ?? false,
    audience: options.extraAudiences ?? ['urn:amazon:webservices'],
  };
  if (options.singleLogout === true) spRemote.SingleLogoutService = `${spBaseUrl}/saml/slo/${idpId}`;
  if (options.spCertificatePem !== undefined) {
    spRemote.keys = [
      { encryption: true, signing: true, type: 'X509Certificate', X509Certificate: pemBody(options.spCertificatePem) },
    ];
  } else if (
    options.validateAuthnRequest === true ||
    options.encryptAssertion === true ||
    options.validateLogout === true
  ) {
    throw new Error('validateAuthnRequest, validateLogout and encryptAssertion need spCertificatePem');
  }

  await writeFile(join(paths.config, 'config.php'), `<?php\n$config = ${php(config)};\n`);
  await writeFile(join(paths.config, 'authsources.php'), authsourcesPhp);
  await writeFile(
    join(paths.metadata, 'saml20-idp-hosted.php'),
    `<?php\n$metadata[${php(options.entityId ?? '__DYNAMIC:1__')}] = ${php(idpHosted)};\n`,
  );
  await writeFile(
    join(paths.metadata, 'saml20-sp-remote.php'),
    `<?php\n$metadata[${php(spEntityId)}] = ${php(spRemote)};\n`,
  );
}

/** A JSON-like value as a PHP literal: strings single-quoted, arrays and objects as PHP arrays. */
export function php(value: unknown, indent = ''): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${inner}${php(v, inner)},\n`).join('')}${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${inner}${/^\d+$/.test(k) ? k : php(k)} => ${php(v, inner)},\n`,
  );
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
