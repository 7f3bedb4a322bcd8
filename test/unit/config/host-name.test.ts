// A cluster's host flows into JDBC/libpq URIs, ODBC strings and .pgpass lines, so the schema
// accepts only a DNS name or an IP literal: anything that could add a parameter or change the
// target in one of those strings is refused by path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isHostName } from '../../../src/config/host-name.ts';
import { buildConfig } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { thrownBy } from '../../support/unit-errors.ts';

const ACCEPTED = [
  'examplecluster.abc123xyz789.us-west-2.redshift.amazonaws.com',
  'adhoc.123456789012.eu-west-1.redshift-serverless.amazonaws.com',
  'localhost',
  'postgres',
  'db-1.internal.',
  'xn--bcher-kva.example',
  '127.0.0.1',
  '10.1.2.3',
  '::1',
  '2001:db8::5439',
  '::ffff:10.0.0.1',
];

const REFUSED: Array<[string, string]> = [
  ['', 'empty'],
  ['db.example.com;ssl=false', 'a JDBC property separator'],
  ['db.example.com/other', 'a path'],
  ['db.example.com?sslmode=disable', 'a query'],
  ['evil@db.example.com', 'userinfo'],
  ['db.example.com:5439', 'a port'],
  ['db example.com', 'a space'],
  ['db.example.com\nHost: x', 'a newline'],
  ['db.example.com\r', 'a carriage return'],
  ['db.example.com\t', 'a tab'],
  ['db.example.com#frag', 'a fragment'],
  ["db.example.com'", 'a quote'],
  ['db.example.com%00', 'a percent escape'],
  ['fe80::1%eth0', 'an IPv6 zone'],
  ['[::1]', 'a bracketed IPv6 literal'],
  ['999.1.1.1', 'an IPv4 address out of range'],
  ['127.1', 'a short IPv4 form'],
  ['-db.example.com', 'a label starting with a dash'],
  ['db-.example.com', 'a label ending with a dash'],
  ['db..example.com', 'an empty label'],
  ['db_1.example.com', 'an underscore'],
  [`${'a'.repeat(64)}.example.com`, 'a label over 63 characters'],
  [`${'a.'.repeat(127)}com`, 'a name over 253 characters'],
  ['dbé.example.com', 'a non-ASCII letter (use punycode)'],
];

describe('isHostName', () => {
  for (const host of ACCEPTED) it(`accepts ${host}`, () => assert.equal(isHostName(host), true));
  for (const [host, what] of REFUSED)
    it(`refuses ${JSON.stringify(host).slice(0, 60)} (${what})`, () => assert.equal(isHostName(host), false));
});

describe('clusters[].host in the configuration', () => {
  const config = (host: string) => ({
    server: { sessionSecret: 'a-session-secret-of-32-characters!' },
    clusters: [
      {
        id: 'analytics',
        clusterIdentifier: 'analytics-cluster',
        host,
        roles: ['arn:aws:iam::123456789012:role/RedshiftAnalyst'],
      },
    ],
  });
  for (const [host, what] of REFUSED) {
    it(`reports clusters[0].host for ${what}`, () => {
      const err = thrownBy(() => buildConfig(config(host), {}));
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => p.slice(0, p.indexOf(': '))),
        ['clusters[0].host'],
      );
    });
  }
  it('keeps a valid host as given', () => {
    assert.equal(buildConfig(config('db.example.com'), {}).clusters[0]?.host, 'db.example.com');
  });
});
