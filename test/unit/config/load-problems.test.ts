// buildConfig refuses a bad configuration with one ConfigError that reports every problem, each by
// the path of its field, even when other fields have the wrong type.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { thrownBy } from '../../support/unit-errors.ts';
import { aCluster, anIdp, minimal, pathsOf, problemsOf, ROLE, SECRET } from '../../support/config-input.ts';

interface InvalidCase {
  name: string;
  input: Record<string, unknown>;
  paths: string[];
  exact?: string[];
}

/** One cluster with these fields, reported at `clusters[0].<field>`. */
const clusterCase = (name: string, fields: Record<string, unknown>, field: string): InvalidCase => ({
  name,
  input: { ...minimal(), clusters: [aCluster(fields)] },
  paths: [`clusters[0].${field}`],
});
/** A server section with these fields, reported at `path`. */
const serverCase = (name: string, server: Record<string, unknown>, path: string): InvalidCase => ({
  name,
  input: { server: { sessionSecret: SECRET, ...server } },
  paths: [path],
});

describe('buildConfig problems', () => {
  it('refuses a file whose root is not a mapping', () => {
    for (const root of ['just text', 42, ['a', 'b']]) {
      assert.deepEqual(problemsOf(root), ['(root): expected a mapping of sections']);
    }
  });

  const invalid: InvalidCase[] = [
    {
      name: 'an idp with entityId and ssoUrl but no certs',
      input: { ...minimal(), idps: [anIdp({ certs: undefined })] },
      paths: ['idps[0].certs'],
      exact: ['idps[0].certs: expected at least one certificate'],
    },
    {
      name: 'an idp with an empty certs list',
      input: { ...minimal(), idps: [anIdp({ certs: [] })] },
      paths: ['idps[0].certs'],
      exact: ['idps[0].certs: expected at least one certificate'],
    },
    {
      name: 'an idp with no metadata, entityId or ssoUrl',
      input: { ...minimal(), idps: [{ id: 'corp', certs: ['x'] }] },
      paths: ['idps[0].entityId', 'idps[0].ssoUrl'],
    },
    {
      name: 'a short sessionSecret',
      input: { server: { sessionSecret: 'too-short' } },
      paths: ['server.sessionSecret'],
      exact: ['server.sessionSecret: expected at least 32 characters'],
    },
    { name: 'no server section', input: {}, paths: ['server'] },
    clusterCase('a cluster role that is not an IAM role ARN', { roles: ['arn:aws:iam::123:role/x'] }, 'roles[0]'),
    clusterCase(
      'a cluster role that names a user',
      { roles: [ROLE, 'arn:aws:iam::123456789012:user/bob'] },
      'roles[1]',
    ),
    clusterCase('a cluster without roles', { roles: [] }, 'roles'),
    clusterCase(
      'a provisioned cluster without clusterIdentifier',
      { clusterIdentifier: undefined },
      'clusterIdentifier',
    ),
    clusterCase(
      'a serverless cluster without workgroup',
      { type: 'serverless', clusterIdentifier: undefined },
      'workgroup',
    ),
    {
      name: 'duplicate idp ids',
      input: { ...minimal(), idps: [anIdp(), anIdp()] },
      paths: ['idps[1].id'],
      exact: ['idps[1].id: duplicate id "corp"'],
    },
    {
      name: 'duplicate cluster ids',
      input: { ...minimal(), clusters: [aCluster(), aCluster()] },
      paths: ['clusters[1].id'],
    },
    { name: 'an unknown top-level key', input: { ...minimal(), sever: {} }, paths: ['(root)'] },
    { name: 'an unknown key in server', input: { server: { sessionSecret: SECRET, prot: 3000 } }, paths: ['server'] },
    { name: 'an unknown key in an idp', input: { ...minimal(), idps: [anIdp({ cert: 'x' })] }, paths: ['idps[0]'] },
    {
      name: 'an unknown attribute name key',
      input: { ...minimal(), idps: [anIdp({ attributes: { rolez: 'x' } })] },
      paths: ['idps[0].attributes'],
    },
    {
      name: 'aws.endpoint in production mode',
      input: { ...minimal(), aws: { endpoint: 'http://127.0.0.1:4566' } },
      paths: ['aws.endpoint'],
    },
    {
      name: 'a workgroupId that is not a UUID',
      input: {
        ...minimal(),
        clusters: [
          aCluster({ type: 'serverless', clusterIdentifier: undefined, workgroup: 'wg-1', workgroupId: 'wg-1' }),
        ],
      },
      paths: ['clusters[0].workgroupId'],
    },
    clusterCase(
      'a workgroupId on a provisioned cluster',
      { workgroupId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9' },
      'workgroupId',
    ),
    clusterCase('a sessionPolicy that is not a boolean', { sessionPolicy: 'no' }, 'sessionPolicy'),
    clusterCase('a cluster durationSeconds below 900 in production', { durationSeconds: 60 }, 'durationSeconds'),
    {
      name: 'signingKey without signingCert',
      input: { ...minimal(), sp: { signingKey: 'key.pem' } },
      paths: ['sp.signingCert'],
    },
    {
      name: 'two metadata sources for one idp',
      input: { ...minimal(), idps: [anIdp({ metadataFile: 'a.xml', metadataXml: '<x/>' })] },
      paths: ['idps[0]'],
    },
    { name: 'an idp id with capitals', input: { ...minimal(), idps: [anIdp({ id: 'Corp' })] }, paths: ['idps[0].id'] },
    clusterCase('a dbGroupsFilter with lookahead (not RE2)', { dbGroupsFilter: '(?=bi_)\\w+' }, 'dbGroupsFilter'),
    clusterCase('a dbGroupsFilter with a backreference (not RE2)', { dbGroupsFilter: '(a)\\1' }, 'dbGroupsFilter'),
    clusterCase('a dbGroupsFilter that does not parse', { dbGroupsFilter: 'bi_[' }, 'dbGroupsFilter'),
    serverCase('a trustProxy entry that is no address', { trustProxy: 'loopbak, 10.0.0.0/8' }, 'server.trustProxy'),
    serverCase('a trustProxy list with a bad CIDR', { trustProxy: ['10.0.0.0/33'] }, 'server.trustProxy'),
    serverCase('a negative trustProxy hop count', { trustProxy: -1 }, 'server.trustProxy'),
    serverCase(
      'an IPv6 rate-limit subnet wider than /32',
      { rateLimit: { ipv6Subnet: 16 } },
      'server.rateLimit.ipv6Subnet',
    ),
  ];

  for (const c of invalid) {
    it(`reports ${c.name} by path`, () => {
      const problems = problemsOf(c.input);
      assert.deepEqual(pathsOf(problems), [...c.paths].sort(), problems.join('\n'));
      if (c.exact !== undefined) assert.deepEqual(problems, c.exact);
    });
  }

  it('reports every problem at once, each by path', () => {
    const problems = problemsOf({
      server: { sessionSecret: 'short' },
      idps: [anIdp({ certs: undefined }), anIdp({ id: 'corp' })],
      clusters: [aCluster({ roles: ['not-an-arn'], clusterIdentifier: undefined })],
      aws: { endpoint: 'http://127.0.0.1:4566' },
      bogus: true,
    });
    assert.deepEqual(
      pathsOf(problems),
      [
        '(root)',
        'aws.endpoint',
        'clusters[0].clusterIdentifier',
        'clusters[0].roles[0]',
        'idps[0].certs',
        'idps[1].id',
        'server.sessionSecret',
      ],
      problems.join('\n'),
    );
  });

  // zod skips object-level refinements once a field has the wrong type; the whole-config checks
  // (duplicate ids, production-only rules) must still be reported alongside the type error.
  it('reports whole-config problems even when another field has the wrong type', () => {
    const problems = problemsOf({
      server: { sessionSecret: SECRET, port: 'eighty' },
      idps: [anIdp(), anIdp()],
      aws: { endpoint: 'http://127.0.0.1:4566' },
    });
    assert.deepEqual(pathsOf(problems), ['aws.endpoint', 'idps[1].id', 'server.port'], problems.join('\n'));
  });

  it('reports a cluster rule even when another field of that cluster has the wrong type', () => {
    const problems = problemsOf({ ...minimal(), clusters: [aCluster({ clusterIdentifier: undefined, port: '5439' })] });
    assert.deepEqual(pathsOf(problems), ['clusters[0].clusterIdentifier', 'clusters[0].port'], problems.join('\n'));
  });

  it('allows aws.endpoint and short durationSeconds in development mode', () => {
    const config = buildConfig(
      {
        ...minimal(),
        mode: 'development',
        aws: { endpoint: 'http://127.0.0.1:4566' },
        clusters: [aCluster({ durationSeconds: 60 })],
      },
      {},
    );
    assert.equal(config.aws.endpoint, 'http://127.0.0.1:4566');
    assert.equal(config.clusters[0]?.durationSeconds, 60);
  });

  it('puts every problem in publicMessage, one per line', () => {
    const err = thrownBy(() =>
      buildConfig({ server: { sessionSecret: 'short' }, clusters: [aCluster({ clusterIdentifier: undefined })] }, {}),
    );
    assert.ok(err instanceof ConfigError);
    for (const problem of err.problems) assert.ok(err.publicMessage.includes(`\n  ${problem}`), problem);
  });

  it('names the RE2 rule when a dbGroupsFilter uses lookaround or backreferences', () => {
    const [problem] = problemsOf({ ...minimal(), clusters: [aCluster({ dbGroupsFilter: '(?<!x)admins' })] });
    assert.match(
      problem ?? '',
      /^clusters\[0\]\.dbGroupsFilter: expected an RE2 regular expression \(no backreferences or lookaround\)/,
    );
  });
});
