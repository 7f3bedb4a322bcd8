// Connection strings round-trip through independent parsers (pg-connection-string, WHATWG URL,
// python3, and small re-implementations of the libpq, .pgpass, ODBC and Redshift JDBC rules),
// so a builder that mis-escapes any awkward character fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parsePgUri } from 'pg-connection-string';
import { buildConnectionStrings, libpqKeywords } from '../../../src/credentials/connection-strings.ts';
import { pythonConnect } from '../../../src/credentials/client-snippets.ts';
import type { DbLoginTarget, SslMode } from '../../../src/credentials/connection-strings.ts';
import {
  evalPython,
  keywordFieldsOf,
  odbcFieldsOf,
  parseJdbc,
  parseKeywords,
  parseOdbc,
  parsePgpass,
} from '../../support/connection-string-readers.ts';

const passwords = [
  'AbC/dE+fG==', // base64 shape of a GetClusterCredentials password
  "p:a\\ss'wo@rd;",
  '}{%?# 50%25 }}',
  " /+=:\\'@;}{%?# all-at-once ",
  "x!'()*~y", // what encodeURIComponent alone leaves unencoded
  "', ssl=False, x='", // tries to break out of a Python literal
];
const users = ['IAM:alice', 'IAMA:bob.smith@corp'];
const hosts = ['examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com', '::1', '127.0.0.1'];
const databases = ['dev', 'sales db'];
const sslModes: SslMode[] = ['verify-full', 'disable', 'require', 'verify-ca'];

const cases: DbLoginTarget[] = users.flatMap((dbUser, u) =>
  passwords.map((dbPassword, p) => ({
    dbUser,
    dbPassword,
    host: hosts[(u + p) % hosts.length] ?? '',
    port: 5439 + p,
    database: databases[p % databases.length] ?? '',
    sslMode: sslModes[(u + p) % sslModes.length] ?? 'verify-full',
  })),
);

const base: DbLoginTarget = {
  dbUser: 'IAM:alice',
  dbPassword: 'AbC/dE+fG==',
  host: 'examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com',
  port: 5439,
  database: 'dev',
  sslMode: 'verify-full',
};

const label = (t: DbLoginTarget): string => JSON.stringify([t.dbUser, t.dbPassword, t.host, t.sslMode]);

describe('buildConnectionStrings', () => {
  it('percent-encodes the libpq URI so pg-connection-string reads every field back', () => {
    for (const t of cases) {
      const parsed = parsePgUri(buildConnectionStrings(t).uri);
      assert.deepEqual(
        [parsed.user, parsed.password, parsed.host, parsed.port, parsed.database, parsed.sslmode],
        [t.dbUser, t.dbPassword, t.host, String(t.port), t.database, t.sslMode],
        label(t),
      );
    }
  });

  it('percent-encodes the libpq URI so WHATWG URL reads every field back', () => {
    for (const t of cases) {
      const url = new URL(buildConnectionStrings(t).uri);
      assert.equal(url.protocol, 'postgresql:');
      assert.match(url.username + url.password, /^[A-Za-z0-9._~%-]*$/, 'a reserved character survived');
      assert.deepEqual(
        [
          decodeURIComponent(url.username),
          decodeURIComponent(url.password),
          decodeURIComponent(url.hostname.replace(/^\[(.*)\]$/, '$1')),
          url.port,
          decodeURIComponent(url.pathname.slice(1)),
          url.searchParams.get('sslmode'),
        ],
        [t.dbUser, t.dbPassword, t.host, String(t.port), t.database, t.sslMode],
        label(t),
      );
    }
  });

  it('encodes reserved characters in the database name', () => {
    // pg-connection-string decodes the path with decodeURI, which leaves %2F and %3F alone, so
    // only the WHATWG parser checks these.
    for (const database of ['q3/sales?x#y', 'a%2Fb', "it's (new)"]) {
      const url = new URL(buildConnectionStrings({ ...base, database }).uri);
      assert.equal(decodeURIComponent(url.pathname.slice(1)), database);
    }
  });

  it('writes the facts-sheet examples literally', () => {
    const t: DbLoginTarget = {
      dbUser: 'IAM:alice',
      dbPassword: 'a/b+c=',
      host: 'h',
      port: 5439,
      database: 'dev',
      sslMode: 'verify-full',
    };
    // Without sslRootCert the strings name no CA (issue-db-login decides it; see the CA tests below).
    const s = buildConnectionStrings(t);
    assert.equal(s.uri, 'postgresql://IAM%3Aalice:a%2Fb%2Bc%3D@h:5439/dev?sslmode=verify-full');
    assert.equal(s.pgpass, 'h:5439:dev:IAM\\:alice:a/b+c=');
    assert.equal(
      s.jdbc,
      'jdbc:redshift://h:5439/dev?ssl=true&sslmode=verify-full&user=IAM%3Aalice&password=a%2Fb%2Bc%3D',
    );
    assert.equal(s.keywords, 'host=h port=5439 dbname=dev user=IAM:alice password=a/b+c= sslmode=verify-full');
    assert.equal(
      s.odbc,
      'Driver={Amazon Redshift ODBC Driver (x64)};Server=h;Port=5439;Database={dev};UID={IAM:alice};PWD={a/b+c=};SSLMode=verify-full',
    );
    assert.equal(
      s.python,
      "import redshift_connector\n\nconn = redshift_connector.connect(host='h', port=5439, database='dev', user='IAM:alice', password='a/b+c=', ssl=True, sslmode='verify-full')",
    );
  });

  it('quotes libpq keyword values so a libpq-rules parser reads them back', () => {
    // The last case has a line break, which .pgpass refuses, so it calls the builder directly.
    const exotic = { ...base, dbPassword: '', database: 'tab\tnew\nline' };
    const keywords = [...cases.map((t) => buildConnectionStrings(t).keywords), libpqKeywords(exotic)];
    [...cases, exotic].forEach((t, i) => {
      assert.deepEqual(parseKeywords(keywords[i] ?? ''), keywordFieldsOf(t), label(t));
    });
  });

  it('escapes .pgpass fields so the pgpass rules read them back', () => {
    for (const t of [...cases, { ...base, database: '*' }]) {
      const line = buildConnectionStrings(t).pgpass;
      assert.deepEqual(parsePgpass(line), [t.host, String(t.port), t.database, t.dbUser, t.dbPassword], label(t));
    }
    const star = buildConnectionStrings({ ...base, database: '*' }).pgpass;
    assert.ok(star.includes(':\\*:'), 'a bare * would be a pgpass wildcard');
  });

  it('refuses a line break in a .pgpass field rather than forging a second entry', () => {
    assert.throws(() => buildConnectionStrings({ ...base, dbPassword: 'x\n*:*:*:*:y' }), {
      code: 'PGPASS_UNREPRESENTABLE',
    });
  });

  it('braces ODBC values so an ODBC-rules parser reads them back', () => {
    for (const t of cases) {
      assert.deepEqual(parseOdbc(buildConnectionStrings(t).odbc), odbcFieldsOf(t), label(t));
    }
  });

  it('encodes JDBC properties so the Redshift driver parsing reads them back', () => {
    for (const t of [...cases, { ...base, database: 'q3/sales?x+y;z' }]) {
      const { host, port, database, props } = parseJdbc(buildConnectionStrings(t).jdbc);
      assert.deepEqual([host, port, database], [t.host, String(t.port), t.database], label(t));
      assert.equal(props.get('user'), t.dbUser, label(t));
      assert.equal(props.get('password'), t.dbPassword, label(t));
    }
  });

  it('writes Python literals that python3 evaluates back to the same arguments', () => {
    const exotic: DbLoginTarget = {
      ...base,
      dbPassword: 'nul\0 nl\n cr\r tab\t vt\v esc\x1b del\x7f c1\x85 é€😀 lone\ud800',
    };
    const targets = [...cases, exotic];
    const evaluated = evalPython(targets.map(pythonConnect));
    assert.equal(evaluated.length, targets.length);
    targets.forEach((t, i) => {
      const tls = t.sslMode === 'disable' ? { ssl: false } : { ssl: true, sslmode: t.sslMode };
      assert.deepEqual(
        evaluated[i],
        { host: t.host, port: t.port, database: t.database, user: t.dbUser, password: t.dbPassword, ...tls },
        label(t),
      );
    });
    const connectLine = pythonConnect(exotic).split('\n').pop() ?? '';
    const controls = [...connectLine].filter((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    assert.deepEqual(controls, [], 'snippet must stay printable on one line');
  });

  it('turns TLS off only for sslMode disable', () => {
    const off = buildConnectionStrings({ ...base, sslMode: 'disable' });
    const full = buildConnectionStrings({ ...base, sslMode: 'verify-full' });

    const offJdbc = parseJdbc(off.jdbc).props;
    assert.equal(offJdbc.get('ssl'), 'false');
    assert.equal(offJdbc.has('sslmode'), false);
    const fullJdbc = parseJdbc(full.jdbc).props;
    assert.equal(fullJdbc.get('ssl'), 'true');
    assert.equal(fullJdbc.get('sslmode'), 'verify-full');

    const [offPy, fullPy] = evalPython([off.python, full.python]);
    assert.deepEqual([offPy?.ssl, offPy && 'sslmode' in offPy], [false, false]);
    assert.deepEqual([fullPy?.ssl, fullPy?.sslmode], [true, 'verify-full']);

    assert.equal(new URL(off.uri).searchParams.get('sslmode'), 'disable');
    assert.equal(new URL(full.uri).searchParams.get('sslmode'), 'verify-full');
    assert.equal(parseKeywords(off.keywords).sslmode, 'disable');
    assert.equal(parseKeywords(full.keywords).sslmode, 'verify-full');
    assert.equal(parseOdbc(off.odbc).sslmode, 'disable');
    assert.equal(parseOdbc(full.odbc).sslmode, 'verify-full');
  });
});
