// Client-side snippets for one issued DB login: a complete redshift_connector snippet, shell
// exports for libpq's PG* variables, a dbt-redshift profiles.yml block and a SQLAlchemy URL.
// Pure text, like connection-strings.ts, which builds the shared target type.
import { stringify } from 'yaml';
import type { DbLoginTarget } from './connection-strings.ts';

/**
 * encodeURIComponent leaves `!'()*` alone; encode those too so no reserved character survives
 * in any parser's eyes (RFC 3986 lists them as sub-delims).
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const PYTHON_NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

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

// redshift_connector documents sslmode values verify-ca and verify-full and verifies against the
// Amazon CA bundle it ships; it has no sslrootcert setting, so a custom CA is not passed here.
export function pythonConnect(t: DbLoginTarget): string {
  const tls = t.sslMode === 'disable' ? 'ssl=False' : `ssl=True, sslmode=${pythonString(t.sslMode)}`;
  return (
    'import redshift_connector\n\n' +
    `conn = redshift_connector.connect(host=${pythonString(t.host)}, port=${t.port}, ` +
    `database=${pythonString(t.database)}, user=${pythonString(t.dbUser)}, ` +
    `password=${pythonString(t.dbPassword)}, ${tls})`
  );
}

/** POSIX shell single quotes: nothing inside is special but `'` itself, written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `eval "$(redshift-sso credentials --format env …)"`, then psql with no arguments. */
export function envExports(t: DbLoginTarget): string {
  const vars: Array<[string, string]> = [
    ['PGHOST', t.host],
    ['PGPORT', String(t.port)],
    ['PGDATABASE', t.database],
    ['PGUSER', t.dbUser],
    ['PGPASSWORD', t.dbPassword],
    ['PGSSLMODE', t.sslMode],
  ];
  if (t.sslRootCert !== undefined) vars.push(['PGSSLROOTCERT', t.sslRootCert]);
  return `export ${vars.map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}`;
}

/** A profiles.yml profile for dbt-redshift (method: database), one target named after nothing secret. */
export function dbtProfile(t: DbLoginTarget): string {
  const output: Record<string, unknown> = {
    type: 'redshift',
    method: 'database',
    host: t.host,
    port: t.port,
    user: t.dbUser,
    password: t.dbPassword,
    dbname: t.database,
    schema: 'public',
    threads: 4,
    sslmode: t.sslMode,
  };
  // Quoting every string keeps YAML from reading a password as a number, boolean or null.
  return stringify(
    { redshift_sso: { target: 'default', outputs: { default: output } } },
    { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  );
}

/** sqlalchemy-redshift's redshift_connector dialect; query parameters reach connect() as keywords. */
export function sqlalchemyUrl(t: DbLoginTarget): string {
  const host = t.host.includes(':') && !t.host.startsWith('[') ? `[${t.host}]` : percentEncode(t.host);
  // A query value reaches connect() as a string, so `ssl=False` would read as true: TLS modes only.
  const tls = t.sslMode === 'disable' ? '' : `?sslmode=${t.sslMode}`;
  return `redshift+redshift_connector://${percentEncode(t.dbUser)}:${percentEncode(t.dbPassword)}@${host}:${t.port}/${percentEncode(t.database)}${tls}`;
}
