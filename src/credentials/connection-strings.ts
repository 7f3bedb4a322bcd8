// Renders one issued DB login as the connection strings SQL clients accept: libpq URI and
// keyword/value form, Redshift JDBC and ODBC, redshift_connector, and a .pgpass line.
// Pure text only: picking the host, TLS mode and credentials belongs to issue-db-login.ts,
// and showing them (with HTML escaping) belongs to the views.
import { AppError } from '../errors.ts';

export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

export interface DbLoginTarget {
  dbUser: string;
  dbPassword: string;
  host: string;
  port: number;
  database: string;
  sslMode: SslMode;
}

export interface ConnectionStrings {
  uri: string;
  keywords: string;
  jdbc: string;
  odbc: string;
  python: string;
  pgpass: string;
}

export function buildConnectionStrings(target: DbLoginTarget): ConnectionStrings {
  return {
    uri: libpqUri(target),
    keywords: libpqKeywords(target),
    jdbc: jdbcUrl(target),
    odbc: odbcString(target),
    python: pythonConnect(target),
    pgpass: pgpassLine(target),
  };
}

/**
 * encodeURIComponent leaves `!'()*` alone; encode those too so no reserved character survives
 * in any parser's eyes (RFC 3986 lists them as sub-delims).
 */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
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
    `/${percentEncode(t.database)}?sslmode=${t.sslMode}`
  );
}

const LIBPQ_BARE = /^[A-Za-z0-9_.:@/+=-]+$/;

/** libpq conninfo quoting: single quotes, with `\'` and `\\` the only escapes needed inside. */
function libpqValue(value: string): string {
  // Quote anything beyond a conservative safe set, not just what libpq strictly requires.
  return LIBPQ_BARE.test(value) ? value : `'${value.replace(/[\\']/g, '\\$&')}'`;
}

export function libpqKeywords(t: DbLoginTarget): string {
  const pairs: [string, string][] = [
    ['host', t.host],
    ['port', String(t.port)],
    ['dbname', t.database],
    ['user', t.dbUser],
    ['password', t.dbPassword],
    ['sslmode', t.sslMode],
  ];
  return pairs.map(([key, value]) => `${key}=${libpqValue(value)}`).join(' ');
}

// The Redshift JDBC driver (Driver.parseURL) splits properties on both ';' and '&' and decodes
// each value with URLDecoder, which turns '+' into a space: hence full percent-encoding.
// It reads the credentials from the `user` and `password` properties.
export function jdbcUrl(t: DbLoginTarget): string {
  // With ssl=true and no sslmode the driver falls back to verify-ca (SslMode.of), so name it.
  const tls = t.sslMode === 'disable' ? 'ssl=false' : `ssl=true&sslmode=${t.sslMode}`;
  return (
    `jdbc:redshift://${bracketIpv6(t.host)}:${t.port}/${percentEncode(t.database)}` +
    `?${tls}&user=${percentEncode(t.dbUser)}&password=${percentEncode(t.dbPassword)}`
  );
}

export const ODBC_DRIVER_NAME = 'Amazon Redshift ODBC Driver (x64)';

/** ODBC connection-string quoting: `{…}` hides ';' and '=', and a literal '}' is doubled. */
function odbcBraced(value: string): string {
  return `{${value.replace(/\}/g, '}}')}}`;
}

function odbcValue(value: string): string {
  return /^[A-Za-z0-9_.:-]+$/.test(value) ? value : odbcBraced(value);
}

export function odbcString(t: DbLoginTarget): string {
  return [
    `Driver=${odbcBraced(ODBC_DRIVER_NAME)}`,
    `Server=${odbcValue(t.host)}`,
    `Port=${t.port}`,
    `Database=${odbcBraced(t.database)}`,
    `UID=${odbcBraced(t.dbUser)}`,
    `PWD=${odbcBraced(t.dbPassword)}`,
    `SSLMode=${t.sslMode}`,
  ].join(';');
}

const PYTHON_NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A Python single-quoted str literal; control characters are escaped so the snippet stays one line. */
function pythonString(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    const named = PYTHON_NAMED_ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // A lone surrogate has no UTF-8 form, so it cannot appear raw in Python source.
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16)}`;
    else out += ch;
  }
  return `'${out}'`;
}

// redshift_connector documents sslmode values verify-ca and verify-full; we pass ours through.
export function pythonConnect(t: DbLoginTarget): string {
  const tls = t.sslMode === 'disable' ? 'ssl=False' : `ssl=True, sslmode=${pythonString(t.sslMode)}`;
  return (
    `redshift_connector.connect(host=${pythonString(t.host)}, port=${t.port}, ` +
    `database=${pythonString(t.database)}, user=${pythonString(t.dbUser)}, ` +
    `password=${pythonString(t.dbPassword)}, ${tls})`
  );
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
