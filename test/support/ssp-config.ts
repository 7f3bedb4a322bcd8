// What a SimpleSAMLphp instance of ssp-idp.ts is configured with: its options, the users and the
// attributes they carry, and the files they become (config.php, authsources.php, the hosted IdP and
// our SP entry under metadata/), written again on every update().
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SSP_PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp';
export const SSP_ANALYST_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
export const SSP_ADMIN_ROLE = 'arn:aws:iam::123456789012:role/RedshiftAdmin';
const URI_NAME_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const ATTR = {
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  dbUser: 'https://redshift.amazon.com/SAML/Attributes/DbUser',
  dbGroups: 'https://redshift.amazon.com/SAML/Attributes/DbGroups',
  email: 'urn:oid:0.9.2342.19200300.100.1.3',
} as const;

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

export interface InstanceSecrets {
  secretsalt: string;
  adminPassword: string;
}

export type Paths = Record<'config' | 'metadata' | 'cert' | 'tmp' | 'data' | 'log' | 'sessions', string>;

export function spEntityIdOf(options: SimpleSamlPhpOptions): string {
  return options.spEntityId ?? `${options.spBaseUrl.replace(/\/+$/, '')}/saml/metadata`;
}

export async function writeConfig(
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

/** The PEM body (base64 DER without headers or whitespace), to compare certificates across formats. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
