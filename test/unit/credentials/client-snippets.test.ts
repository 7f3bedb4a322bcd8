// The snippets for shells, dbt and SQLAlchemy read back by real parsers: bash evaluates the env
// exports, the yaml package parses the dbt profile, WHATWG URL parses the SQLAlchemy URL.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildConnectionStrings, type DbLoginTarget } from '../../../src/credentials/connection-strings.ts';

const awkward = [
  'AbC/dE+fG==',
  "p:a\\ss'wo@rd;",
  '$(touch /tmp/pwned) `id` "q" ${HOME}',
  "x!'()*~y #%25 ",
  'true',
  '0x10',
  'null',
  '- item',
];
const base: DbLoginTarget = {
  dbUser: 'IAM:alice',
  dbPassword: 'pw',
  host: 'c.example.com',
  port: 5439,
  database: 'dev',
  sslMode: 'verify-full',
};
const targets: DbLoginTarget[] = [
  ...awkward.map((dbPassword) => ({ ...base, dbPassword })),
  { ...base, database: "it's db", sslRootCert: '/home/a b/ca.pem' },
  { ...base, sslMode: 'disable' as const },
];

describe('env exports', () => {
  it('bash evaluates them back to the same PG* values, running nothing', () => {
    for (const t of targets) {
      const env = buildConnectionStrings(t).env;
      assert.ok(env.startsWith('export PGHOST='), env);
      const out = execFileSync(
        'bash',
        [
          '-c',
          `${env}; printf '%s\\0' "$PGHOST" "$PGPORT" "$PGDATABASE" "$PGUSER" "$PGPASSWORD" "$PGSSLMODE" "\${PGSSLROOTCERT-unset}"`,
        ],
        { encoding: 'utf8', env: { PATH: process.env.PATH } },
      );
      assert.deepEqual(
        out.split('\0').slice(0, 7),
        [t.host, String(t.port), t.database, t.dbUser, t.dbPassword, t.sslMode, t.sslRootCert ?? 'unset'],
        t.dbPassword,
      );
    }
  });
});

describe('Python snippet', () => {
  it('runs as written: it imports redshift_connector and binds conn (a stand-in module records the call)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-py-'));
    try {
      writeFileSync(join(dir, 'redshift_connector.py'), 'def connect(**kwargs):\n    return kwargs\n');
      for (const t of targets) {
        const script = `${buildConnectionStrings(t).python}\nimport json\nprint(json.dumps(conn))`;
        const conn = JSON.parse(
          execFileSync('python3', ['-c', script], {
            encoding: 'utf8',
            env: { PATH: process.env.PATH, PYTHONPATH: dir },
          }),
        ) as Record<string, unknown>;
        assert.deepEqual(
          [conn.host, conn.port, conn.database, conn.user, conn.password],
          [t.host, t.port, t.database, t.dbUser, t.dbPassword],
          t.dbPassword,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('dbt profile', () => {
  it('parses as a dbt-redshift profile with every value as given', () => {
    for (const t of targets) {
      const profile = parseYaml(buildConnectionStrings(t).dbt) as {
        redshift_sso: { target: string; outputs: Record<string, Record<string, unknown>> };
      };
      const output = profile.redshift_sso.outputs[profile.redshift_sso.target];
      assert.deepEqual(
        output,
        {
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
        },
        t.dbPassword,
      );
    }
  });
});

describe('SQLAlchemy URL', () => {
  it('percent-encodes so a URL parser reads every field back, with sslmode as a query parameter', () => {
    for (const t of targets) {
      const text = buildConnectionStrings(t).sqlalchemy;
      assert.ok(text.startsWith('redshift+redshift_connector://'), text);
      // WHATWG URL refuses '_' in a scheme (SQLAlchemy's parser does not); the rest is a plain URL.
      const url = new URL(text.replace(/^redshift\+redshift_connector:/, 'postgresql:'));
      assert.deepEqual(
        [
          decodeURIComponent(url.username),
          decodeURIComponent(url.password),
          url.hostname,
          url.port,
          decodeURIComponent(url.pathname.slice(1)),
        ],
        [t.dbUser, t.dbPassword, t.host, String(t.port), t.database],
      );
      assert.equal(url.searchParams.get('sslmode'), t.sslMode === 'disable' ? null : t.sslMode);
    }
  });
});

describe('CA references', () => {
  it('names the CA file in libpq, JDBC and env forms, and `system` only in libpq forms', () => {
    const file = buildConnectionStrings({ ...base, sslRootCert: '/etc/ca b.pem' });
    assert.equal(new URL(file.uri).searchParams.get('sslrootcert'), '/etc/ca b.pem');
    assert.match(file.keywords, / sslrootcert='\/etc\/ca b.pem'$/);
    assert.match(file.jdbc, /&sslrootcert=%2Fetc%2Fca%20b.pem&/);
    assert.match(file.env, /PGSSLROOTCERT='\/etc\/ca b.pem'/);
    const system = buildConnectionStrings({ ...base, sslRootCert: 'system' });
    assert.equal(new URL(system.uri).searchParams.get('sslrootcert'), 'system');
    assert.doesNotMatch(system.jdbc, /sslrootcert/);
  });

  it('writes the configured ODBC driver name', () => {
    assert.match(
      buildConnectionStrings({ ...base, odbcDriver: 'Amazon Redshift ODBC Driver' }).odbc,
      /^Driver=\{Amazon Redshift ODBC Driver\};/,
    );
    assert.match(buildConnectionStrings(base).odbc, /^Driver=\{Amazon Redshift ODBC Driver \(x64\)\};/);
  });
});
