// Independent readers of the connection strings the service writes, for the round-trip tests: small
// re-implementations of the libpq keyword, .pgpass, ODBC and Redshift JDBC rules, python3 for the
// Python snippet, and the fields each format should carry for a target.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { DbLoginTarget } from '../../src/credentials/connection-strings.ts';

/** libpq conninfo_parse: `key = value` pairs, whitespace separated, quotes and `\` escapes. */
export function parseKeywords(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    let key = '';
    while (i < text.length && !/[\s=]/.test(text[i] ?? '')) key += text[i++];
    skipSpace();
    assert.equal(text[i++], '=', `missing "=" after ${key}`);
    skipSpace();
    const quoted = text[i] === "'";
    if (quoted) i++;
    let value = '';
    for (;;) {
      assert.ok(i < text.length || !quoted, 'unterminated quoted value');
      const ch = text[i];
      if (ch === undefined || (quoted ? ch === "'" : /\s/.test(ch))) break;
      if (ch === '\\' && i + 1 < text.length) i++;
      value += text[i++];
    }
    if (quoted) i++;
    assert.equal(Object.hasOwn(out, key), false, `duplicate key ${key}`);
    out[key] = value;
  }
  return out;
}

/** .pgpass: five ':'-separated fields; a backslash makes the next character literal. */
export function parsePgpass(line: string): string[] {
  assert.equal(/[\r\n]/.test(line), false, 'must be one line');
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? '';
    if (ch === '\\' && i + 1 < line.length) field += line[++i];
    else if (ch === ':') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  return [...fields, field];
}

/** ODBC `key=value;` pairs; a braced value runs to the first lone '}' and '}}' is a literal '}'. */
export function parseOdbc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    assert.ok(eq > i, `no key at ${i}`);
    const key = text.slice(i, eq).toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '{') {
      for (i++; ; i++) {
        assert.ok(i < text.length, 'unterminated braced value');
        if (text[i] === '}' && text[i + 1] === '}') value += text[i++];
        else if (text[i] === '}') break;
        else value += text[i];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== ';') value += text[i++];
    }
    assert.ok(i === text.length || text[i] === ';', `junk after ${key}`);
    i++;
    assert.equal(Object.hasOwn(out, key), false, `duplicate key ${key}`);
    out[key] = value;
  }
  return out;
}

/** Mirrors the Redshift JDBC Driver.parseURL: '?' ends the path, properties split on ';' or '&'. */
export function parseJdbc(url: string): { host: string; port: string; database: string; props: URLSearchParams } {
  const urlDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' ')); // java URLDecoder
  const prefix = 'jdbc:redshift://';
  assert.ok(url.startsWith(prefix));
  const [server = '', query = ''] = url.slice(prefix.length).split(/\?(.*)/s);
  const slash = server.indexOf('/');
  const address = server.slice(0, slash);
  const portAt = address.lastIndexOf(':');
  assert.ok(portAt > address.lastIndexOf(']'), 'port missing');
  const props = new URLSearchParams(query);
  assert.equal(query.split(/[;&]/).length, [...props].length, 'a raw ";" would split a property');
  const host = address.slice(0, portAt).replace(/^\[(.*)\]$/, '$1');
  return { host, port: address.slice(portAt + 1), database: urlDecode(server.slice(slash + 1)), props };
}

/** Evaluates each connect(...) snippet with python3, capturing its keyword arguments. */
export function evalPython(snippets: string[]): Record<string, unknown>[] {
  const prefix = 'import redshift_connector\n\nconn = redshift_connector.connect(';
  const calls = snippets.map((s) => {
    assert.ok(s.startsWith(prefix), s);
    return `    capture(${s.slice(prefix.length)},`;
  });
  const script = ['import json', 'def capture(**kwargs): return kwargs', 'print(json.dumps([', ...calls, ']))'].join(
    '\n',
  );
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as Record<string, unknown>[];
}

/** What a libpq keyword reader should get back for `t`. */
export const keywordFieldsOf = (t: DbLoginTarget): Record<string, string> => ({
  host: t.host,
  port: String(t.port),
  dbname: t.database,
  user: t.dbUser,
  password: t.dbPassword,
  sslmode: t.sslMode,
});

/** What an ODBC reader should get back for `t`. */
export const odbcFieldsOf = (t: DbLoginTarget): Record<string, string> => ({
  driver: 'Amazon Redshift ODBC Driver (x64)',
  server: t.host,
  port: String(t.port),
  database: t.database,
  uid: t.dbUser,
  pwd: t.dbPassword,
  sslmode: t.sslMode,
});
