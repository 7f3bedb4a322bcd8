// Renders one issued DB login as the connection strings SQL clients accept: libpq URI and
// keyword/value form, Redshift JDBC and ODBC, a .pgpass line, and (client-snippets.ts) Python,
// shell, dbt and SQLAlchemy. Pure text only: picking the host, TLS mode and credentials belongs
// to issue-db-login.ts, and showing them (with HTML escaping) belongs to the views.
import { AppError } from '../errors.ts';
import { ODBC_DRIVER_DEFAULT } from '../config/schema-cluster.ts';
import { dbtProfile, envExports, percentEncode, pythonConnect, sqlalchemyUrl } from './client-snippets.ts';

export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface DbLoginTarget {
  dbUser: string;
  dbPassword: string;
  host: string;
  port: number;
  database: string;
  sslMode: SslMode;
  /** The CA file on the client, or `system` (libpq 16+: the OS trust store); unset without verification. */
  sslRootCert?: string;
  /** ODBC driver name; default the 64-bit driver's. */
  odbcDriver?: string;
}

export interface ConnectionStrings {
  uri: string;
  keywords: string;
  jdbc: string;
  odbc: string;
  python: string;
  pgpass: string;
  env: string;
  dbt: string;
  sqlalchemy: string;
}

export const CONNECTION_FORMATS = [
  'uri',
  'keywords',
  'jdbc',
  'odbc',
  'python',
  'pgpass',
  'env',
  'dbt',
  'sqlalchemy',
] as const satisfies ReadonlyArray<keyof ConnectionStrings>;

export function buildConnectionStrings(target: DbLoginTarget): ConnectionStrings {
  return {
    uri: libpqUri(target),
    keywords: libpqKeywords(target),
    jdbc: jdbcUrl(target),
    odbc: odbcString(target),
    python: pythonConnect(target),
    pgpass: pgpassLine(target),
    env: envExports(target),
    dbt: dbtProfile(target),
    sqlalchemy: sqlalchemyUrl(target),
  };
}

/** A CA file for clients that cannot use the OS trust store (`system` is libpq's word only). */
export function caFileOf(t: DbLoginTarget): string | undefined {
  return t.sslRootCert === undefined || t.sslRootCert === 'system' ? undefined : t.sslRootCert;
}

/** Only an IPv6 literal contains ':' (the port is a separate field), and URLs need it bracketed. */
function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

// libpq splits userinfo at the first ':' (fe-connect.c), so `IAM:alice` must become `IAM%3Aalice`;
// GetClusterCredentials passwords carry base64's `/`, `+` and `=`. libpq percent-decodes host too.
export function libpqUri(t: DbLoginTarget): string {
  const host = t.host.includes(':') ? bracketIpv6(t.host) : percentEncode(t.host);
  return (
    `postgresql://${percentEncode(t.dbUser)}:${percentEncode(t.dbPassword)}@${host}:${t.port}` +
    `/${percentEncode(t.database)}?sslmode=${t.sslMode}` +
    (t.sslRootCert === undefined ? '' : `&sslrootcert=${percentEncode(t.sslRootCert)}`)
  );
}

const LIBPQ_BARE = /^[A-Za-z0-9_.:@/+=-]+$/;

/** libpq conninfo quoting: single quotes, with `\'` and `\\` the only escapes needed inside. */
function libpqValue(value: string): string {
  // Quote anything beyond a conservative safe set, not just what libpq strictly requires.
  return LIBPQ_BARE.test(value) ? value : `'${value.replace(/[\\']/g, '\\$&')}'`;
}

export function libpqKeywords(t: DbLoginTarget): string {
  return libpqConninfo(t, t.dbPassword);
}

/** What a libpq conninfo names besides the password; the CLI prints it without one, beside a pgpass entry. */
export type LibpqTarget = Pick<DbLoginTarget, 'host' | 'port' | 'database' | 'dbUser' | 'sslRootCert'> & {
  sslMode: string;
};

export function libpqConninfo(t: LibpqTarget, password?: string): string {
  const pairs: [string, string][] = [
    ['host', t.host],
    ['port', String(t.port)],
    ['dbname', t.database],
    ['user', t.dbUser],
    ...(password === undefined ? [] : [['password', password] as [string, string]]),
    ['sslmode', t.sslMode],
    ...(t.sslRootCert === undefined ? [] : [['sslrootcert', t.sslRootCert] as [string, string]]),
  ];
  return pairs.map(([key, value]) => `${key}=${libpqValue(value)}`).join(' ');
}

// The Redshift JDBC driver (Driver.parseURL) splits properties on both ';' and '&' and decodes
// each value with URLDecoder, which turns '+' into a space: hence full percent-encoding.
// It reads the credentials from the `user` and `password` properties.
export function jdbcUrl(t: DbLoginTarget): string {
  // With ssl=true and no sslmode the driver falls back to verify-ca (SslMode.of), so name it.
  const caFile = caFileOf(t);
  const tls =
    (t.sslMode === 'disable' ? 'ssl=false' : `ssl=true&sslmode=${t.sslMode}`) +
    (caFile === undefined ? '' : `&sslrootcert=${percentEncode(caFile)}`);
  return (
    `jdbc:redshift://${bracketIpv6(t.host)}:${t.port}/${percentEncode(t.database)}` +
    `?${tls}&user=${percentEncode(t.dbUser)}&password=${percentEncode(t.dbPassword)}`
  );
}

/** ODBC connection-string quoting: `{…}` hides ';' and '=', and a literal '}' is doubled. */
function odbcBraced(value: string): string {
  return `{${value.replace(/\}/g, '}}')}}`;
}

function odbcValue(value: string): string {
  return /^[A-Za-z0-9_.:-]+$/.test(value) ? value : odbcBraced(value);
}

export function odbcString(t: DbLoginTarget): string {
  return [
    `Driver=${odbcBraced(t.odbcDriver ?? ODBC_DRIVER_DEFAULT)}`,
    `Server=${odbcValue(t.host)}`,
    `Port=${t.port}`,
    `Database=${odbcBraced(t.database)}`,
    `UID=${odbcBraced(t.dbUser)}`,
    `PWD=${odbcBraced(t.dbPassword)}`,
    `SSLMode=${t.sslMode}`,
  ].join(';');
}

/** .pgpass escaping (libpq docs, "The Password File"): `\` and `:` take a backslash. */
function pgpassField(value: string): string {
  // A field that is exactly `*` is a wildcard; `\*` matches only a literal star.
  if (value === '*') return '\\*';
  if (/[\r\n]/.test(value)) {
    // libpq reads the file line by line, so a line break would start a forged entry.
    throw new AppError({ code: 'PGPASS_UNREPRESENTABLE', publicMessage: 'a login field contains a line break' });
  }
  return value.replace(/[\\:]/g, '\\$&');
}

export function pgpassLine(t: DbLoginTarget): string {
  return [t.host, String(t.port), t.database, t.dbUser, t.dbPassword].map(pgpassField).join(':');
}
