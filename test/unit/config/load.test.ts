// Configuration loading: schema defaults < file < environment, every problem reported by path in
// one ConfigError, a deep-frozen result, and the process exiting with status 1 on a bad file.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig, configPathFrom, loadConfig, readConfigFile } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { workerCount } from '../../../src/cluster.ts';
import { thrownBy } from '../../support/unit-errors.ts';
import { testSessionSecret } from '../../support/test-secret.ts';

const SECRET = testSessionSecret();
const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const minimal = (): Record<string, unknown> => ({ server: { sessionSecret: SECRET } });
const anIdp = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'corp',
  entityId: 'https://idp.test.example/metadata',
  ssoUrl: 'https://idp.test.example/sso',
  certs: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
  ...overrides,
});
const aCluster = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'analytics',
  clusterIdentifier: 'analytics-cluster',
  roles: [ROLE],
  ...overrides,
});

function problemsOf(input: unknown, env: Record<string, string> = {}): string[] {
  const err = thrownBy(() => buildConfig(input, env));
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  assert.equal(err.code, 'CONFIG_INVALID');
  return err.problems;
}

/** The part of each problem before ": ", sorted: the field paths reported. */
function pathsOf(problems: string[]): string[] {
  return problems.map((p) => p.slice(0, p.indexOf(': '))).sort();
}

/** Checks the fields named in `expected`, so new settings elsewhere in a section don't break it. */
function assertFields(actual: object, expected: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expected))
    assert.deepEqual((actual as Record<string, unknown>)[key], value, key);
}

function writeTemp(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

describe('buildConfig', () => {
  it('accepts a config with only server.sessionSecret and fills in the defaults', () => {
    const config = buildConfig(minimal(), {});
    assert.equal(config.mode, 'production');
    assert.equal(config.log.level, 'info');
    assertFields(config.server, {
      baseUrl: 'http://localhost:3000',
      host: '0.0.0.0',
      port: 3000,
      trustProxy: false,
      sessionSecret: SECRET,
      sessionTtlSeconds: 3600,
    });
    assertFields(config.sp, {
      clockSkewSeconds: 60,
      requestTtlSeconds: 600,
      entityId: undefined,
      audiences: undefined,
      signingKey: undefined,
    });
    assert.deepEqual(config.idps, []);
    assert.deepEqual(config.clusters, []);
    assertFields(config.aws, { region: 'us-east-1', timeoutMs: 10000, maxAttempts: 3, endpoint: undefined });
    assertFields(config.store, { url: 'sqlite:data/redshift-sso.db' });
    assertFields(config.admin, { groupsAttribute: 'https://redshift.amazon.com/SAML/Attributes/DbGroups', groups: [] });
  });

  it('fills idp and cluster defaults, including the AWS attribute names', () => {
    const config = buildConfig({ ...minimal(), idps: [anIdp()], clusters: [aCluster()] }, {});
    const idp = config.idps[0];
    const cluster = config.clusters[0];
    assert.ok(idp !== undefined && cluster !== undefined);
    assert.equal(idp.allowIdpInitiated, false);
    assert.equal(idp.wantAssertionsSigned, true);
    assert.equal(idp.wantResponseSigned, false);
    assert.equal(idp.maxSessionDurationSeconds, 3600);
    assert.equal(idp.attributes.role, 'https://aws.amazon.com/SAML/Attributes/Role');
    assert.equal(idp.attributes.roleSessionName, 'https://aws.amazon.com/SAML/Attributes/RoleSessionName');
    assert.equal(idp.attributes.dbUser, 'https://redshift.amazon.com/SAML/Attributes/DbUser');
    assert.equal(cluster.type, 'provisioned');
    assert.equal(cluster.database, 'dev');
    assert.equal(cluster.sslMode, 'verify-full');
    assert.equal(cluster.durationSeconds, 900);
    assert.equal(cluster.sessionPolicy, true);
  });

  it('treats an empty file (undefined or null) as no settings', () => {
    for (const empty of [undefined, null]) {
      const config = buildConfig(empty, { REDSHIFT_SSO_SESSION_SECRET: SECRET });
      assert.equal(config.server.sessionSecret, SECRET);
    }
  });

  it('refuses a file whose root is not a mapping', () => {
    for (const root of ['just text', 42, ['a', 'b']]) {
      assert.deepEqual(problemsOf(root), ['(root): expected a mapping of sections']);
    }
  });

  const invalid: Array<{ name: string; input: Record<string, unknown>; paths: string[]; exact?: string[] }> = [
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
    {
      name: 'a cluster role that is not an IAM role ARN',
      input: { ...minimal(), clusters: [aCluster({ roles: ['arn:aws:iam::123:role/x'] })] },
      paths: ['clusters[0].roles[0]'],
    },
    {
      name: 'a cluster role that names a user',
      input: { ...minimal(), clusters: [aCluster({ roles: [ROLE, 'arn:aws:iam::123456789012:user/bob'] })] },
      paths: ['clusters[0].roles[1]'],
    },
    {
      name: 'a cluster without roles',
      input: { ...minimal(), clusters: [aCluster({ roles: [] })] },
      paths: ['clusters[0].roles'],
    },
    {
      name: 'a provisioned cluster without clusterIdentifier',
      input: { ...minimal(), clusters: [aCluster({ clusterIdentifier: undefined })] },
      paths: ['clusters[0].clusterIdentifier'],
    },
    {
      name: 'a serverless cluster without workgroup',
      input: { ...minimal(), clusters: [aCluster({ type: 'serverless', clusterIdentifier: undefined })] },
      paths: ['clusters[0].workgroup'],
    },
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
    {
      name: 'a workgroupId on a provisioned cluster',
      input: { ...minimal(), clusters: [aCluster({ workgroupId: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9' })] },
      paths: ['clusters[0].workgroupId'],
    },
    {
      name: 'a sessionPolicy that is not a boolean',
      input: { ...minimal(), clusters: [aCluster({ sessionPolicy: 'no' })] },
      paths: ['clusters[0].sessionPolicy'],
    },
    {
      name: 'a cluster durationSeconds below 900 in production',
      input: { ...minimal(), clusters: [aCluster({ durationSeconds: 60 })] },
      paths: ['clusters[0].durationSeconds'],
    },
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
    {
      name: 'a dbGroupsFilter with lookahead (not RE2)',
      input: { ...minimal(), clusters: [aCluster({ dbGroupsFilter: '(?=bi_)\\w+' })] },
      paths: ['clusters[0].dbGroupsFilter'],
    },
    {
      name: 'a dbGroupsFilter with a backreference (not RE2)',
      input: { ...minimal(), clusters: [aCluster({ dbGroupsFilter: '(a)\\1' })] },
      paths: ['clusters[0].dbGroupsFilter'],
    },
    {
      name: 'a dbGroupsFilter that does not parse',
      input: { ...minimal(), clusters: [aCluster({ dbGroupsFilter: 'bi_[' })] },
      paths: ['clusters[0].dbGroupsFilter'],
    },
    {
      name: 'a trustProxy entry that is no address',
      input: { server: { sessionSecret: SECRET, trustProxy: 'loopbak, 10.0.0.0/8' } },
      paths: ['server.trustProxy'],
    },
    {
      name: 'a trustProxy list with a bad CIDR',
      input: { server: { sessionSecret: SECRET, trustProxy: ['10.0.0.0/33'] } },
      paths: ['server.trustProxy'],
    },
    {
      name: 'a negative trustProxy hop count',
      input: { server: { sessionSecret: SECRET, trustProxy: -1 } },
      paths: ['server.trustProxy'],
    },
    {
      name: 'an IPv6 rate-limit subnet wider than /32',
      input: { server: { sessionSecret: SECRET, rateLimit: { ipv6Subnet: 16 } } },
      paths: ['server.rateLimit.ipv6Subnet'],
    },
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

  const envCases: Array<{
    name: string;
    file?: Record<string, unknown>;
    env: Record<string, string>;
    check: (c: ReturnType<typeof buildConfig>) => unknown;
    expected: unknown;
  }> = [
    { name: 'PORT sets server.port as a number', env: { PORT: '8080' }, check: (c) => c.server.port, expected: 8080 },
    {
      name: 'PORT wins over the file',
      file: { server: { sessionSecret: SECRET, port: 1234 } },
      env: { PORT: '8080' },
      check: (c) => c.server.port,
      expected: 8080,
    },
    {
      name: 'an empty PORT is ignored',
      file: { server: { sessionSecret: SECRET, port: 1234 } },
      env: { PORT: '' },
      check: (c) => c.server.port,
      expected: 1234,
    },
    {
      name: 'REDSHIFT_SSO_BASE_URL sets server.baseUrl',
      file: { server: { sessionSecret: SECRET, baseUrl: 'https://file.example', trustProxy: 1 } },
      env: { REDSHIFT_SSO_BASE_URL: 'https://sso.example.com' },
      check: (c) => c.server.baseUrl,
      expected: 'https://sso.example.com',
    },
    {
      name: 'REDSHIFT_SSO_TRUST_PROXY=true is a boolean',
      env: { REDSHIFT_SSO_TRUST_PROXY: 'true' },
      check: (c) => c.server.trustProxy,
      expected: true,
    },
    {
      name: 'REDSHIFT_SSO_TRUST_PROXY=false is a boolean',
      file: { server: { sessionSecret: SECRET, trustProxy: true } },
      env: { REDSHIFT_SSO_TRUST_PROXY: 'false' },
      check: (c) => c.server.trustProxy,
      expected: false,
    },
    {
      name: 'REDSHIFT_SSO_TRUST_PROXY=2 is a hop count',
      env: { REDSHIFT_SSO_TRUST_PROXY: '2' },
      check: (c) => c.server.trustProxy,
      expected: 2,
    },
    {
      name: 'REDSHIFT_SSO_TRUST_PROXY=loopback stays text',
      env: { REDSHIFT_SSO_TRUST_PROXY: 'loopback' },
      check: (c) => c.server.trustProxy,
      expected: 'loopback',
    },
    {
      name: 'REDSHIFT_SSO_TRUST_PROXY takes a comma-separated list',
      env: { REDSHIFT_SSO_TRUST_PROXY: 'loopback, 10.0.0.0/8' },
      check: (c) => c.server.trustProxy,
      expected: 'loopback, 10.0.0.0/8',
    },
    {
      name: 'AWS_REGION sets aws.region',
      file: { ...minimal(), aws: { region: 'eu-west-1' } },
      env: { AWS_REGION: 'ap-southeast-2' },
      check: (c) => c.aws.region,
      expected: 'ap-southeast-2',
    },
    {
      name: 'REDSHIFT_SSO_SESSION_SECRET supplies a missing server section',
      file: {},
      env: { REDSHIFT_SSO_SESSION_SECRET: SECRET },
      check: (c) => c.server.sessionSecret,
      expected: SECRET,
    },
    {
      name: 'REDSHIFT_SSO_MODE sets mode',
      env: { REDSHIFT_SSO_MODE: 'development' },
      check: (c) => c.mode,
      expected: 'development',
    },
    {
      name: 'unrelated variables are ignored',
      env: { HOME: '/root', SERVER_PORT: '1' },
      check: (c) => c.server.port,
      expected: 3000,
    },
  ];
  for (const c of envCases) {
    it(`environment: ${c.name}`, () => {
      assert.deepEqual(c.check(buildConfig(c.file ?? minimal(), c.env)), c.expected);
    });
  }

  it('names the RE2 rule when a dbGroupsFilter uses lookaround or backreferences', () => {
    const [problem] = problemsOf({ ...minimal(), clusters: [aCluster({ dbGroupsFilter: '(?<!x)admins' })] });
    assert.match(
      problem ?? '',
      /^clusters\[0\]\.dbGroupsFilter: expected an RE2 regular expression \(no backreferences or lookaround\)/,
    );
  });

  it('accepts the trustProxy forms Express accepts', () => {
    for (const trustProxy of [
      true,
      false,
      0,
      2,
      'loopback',
      'loopback, linklocal, uniquelocal',
      '10.0.0.0/8,192.168.0.1',
      '10.0.0.0/255.0.0.0',
      'fd00::/8',
      ['::1', '172.16.0.0/12'],
    ]) {
      assert.deepEqual(
        buildConfig({ server: { sessionSecret: SECRET, trustProxy } }, {}).server.trustProxy,
        trustProxy,
      );
    }
  });

  it('refuses an https baseUrl without a trusted proxy, naming both fields and the fix', () => {
    for (const server of [
      { baseUrl: 'https://sso.example.com' },
      { baseUrl: 'https://sso.example.com', trustProxy: false },
      { baseUrl: 'HTTPS://sso.example.com', trustProxy: 0 },
    ]) {
      const problems = problemsOf({ server: { sessionSecret: SECRET, ...server } });
      assert.deepEqual(pathsOf(problems), ['server.trustProxy']);
      assert.match(
        problems[0] ?? '',
        /server\.baseUrl is https.*server\.trustProxy is false.*Set server\.trustProxy to that proxy \(a hop count/,
      );
    }
    const fromEnv = problemsOf(
      { server: { sessionSecret: SECRET } },
      { REDSHIFT_SSO_BASE_URL: 'https://sso.example.com' },
    );
    assert.deepEqual(pathsOf(fromEnv), ['server.trustProxy'], 'an https base URL from the environment counts too');
    for (const trustProxy of [1, 'loopback', '10.0.0.0/8', true])
      buildConfig({ server: { sessionSecret: SECRET, baseUrl: 'https://sso.example.com', trustProxy } }, {});
    buildConfig(
      { server: { sessionSecret: SECRET, baseUrl: 'https://sso.example.com' } },
      { REDSHIFT_SSO_TRUST_PROXY: '1' },
    );
  });

  it('runs one process by default; server.workers takes a count or auto, also from REDSHIFT_SSO_WORKERS', () => {
    assert.equal(buildConfig(minimal()).server.workers, 1);
    assert.equal(buildConfig({ server: { sessionSecret: SECRET, workers: 'auto' } }).server.workers, 'auto');
    assert.equal(buildConfig(minimal(), { REDSHIFT_SSO_WORKERS: '4' }).server.workers, 4);
    assert.equal(buildConfig(minimal(), { REDSHIFT_SSO_WORKERS: 'auto' }).server.workers, 'auto');
    assert.ok(problemsOf(minimal(), { REDSHIFT_SSO_WORKERS: '0' }).some((p) => p.startsWith('server.workers:')));
    assert.ok(problemsOf(minimal(), { REDSHIFT_SSO_WORKERS: 'many' }).some((p) => p.startsWith('server.workers:')));
    assert.equal(workerCount('auto'), availableParallelism());
    assert.equal(workerCount(3), 3);
  });

  it('reports a non-numeric PORT by path', () => {
    assert.deepEqual(pathsOf(problemsOf(minimal(), { PORT: 'http' })), ['server.port']);
  });

  it('does not change or freeze the object it was given', () => {
    const file = { server: { sessionSecret: SECRET, port: 1234 } };
    buildConfig(file, { PORT: '8080' });
    assert.deepEqual(file, { server: { sessionSecret: SECRET, port: 1234 } });
    assert.equal(Object.isFrozen(file.server), false);
  });

  it('returns a deep-frozen config', () => {
    const config = buildConfig({ ...minimal(), idps: [anIdp()], clusters: [aCluster({ dbGroups: ['analysts'] })] }, {});
    const nested = [
      config,
      config.server,
      config.sp,
      config.aws,
      config.idps,
      config.idps[0],
      config.idps[0]?.certs,
      config.idps[0]?.attributes,
      config.clusters[0]?.roles,
      config.clusters[0]?.dbGroups,
    ];
    for (const value of nested) assert.ok(Object.isFrozen(value));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.clusters[0]?.roles as string[]).push(ROLE);
    }, TypeError);
  });
});

describe('configPathFrom', () => {
  const cases: Array<{ argv: string[]; env: Record<string, string>; expected: string | undefined }> = [
    { argv: ['--config', 'x.yml'], env: {}, expected: 'x.yml' },
    { argv: ['--config=x'], env: {}, expected: 'x' },
    { argv: ['--config=dir/a=b.yml'], env: {}, expected: 'dir/a=b.yml' },
    { argv: ['--verbose', '--config', '/etc/sso.yml'], env: {}, expected: '/etc/sso.yml' },
    { argv: [], env: { REDSHIFT_SSO_CONFIG: 'from-env.yml' }, expected: 'from-env.yml' },
    { argv: ['--config', 'flag.yml'], env: { REDSHIFT_SSO_CONFIG: 'from-env.yml' }, expected: 'flag.yml' },
    { argv: [], env: {}, expected: undefined },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.argv)} with ${JSON.stringify(c.env)} gives ${String(c.expected)}`, () => {
      assert.equal(configPathFrom(c.argv, c.env), c.expected);
    });
  }

  it('refuses an empty REDSHIFT_SSO_CONFIG rather than reading it as no configuration', () => {
    for (const value of ['', '  ']) {
      const err = thrownBy(() => configPathFrom([], { REDSHIFT_SSO_CONFIG: value }));
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems[0] ?? '', /^REDSHIFT_SSO_CONFIG: set but empty/);
    }
  });

  for (const argv of [['--config'], ['--config=']]) {
    it(`refuses ${JSON.stringify(argv)} without a path`, () => {
      const err = thrownBy(() => configPathFrom(argv, {}));
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.problems, ['--config: expected a file path']);
    });
  }
});

describe('readConfigFile', () => {
  it('reads YAML', () => {
    const path = writeTemp(
      'config.yml',
      `server:\n  sessionSecret: ${SECRET}\n  port: 8081\nclusters:\n  - id: analytics\n    roles: [${ROLE}]\n`,
    );
    assert.deepEqual(readConfigFile(path), {
      server: { sessionSecret: SECRET, port: 8081 },
      clusters: [{ id: 'analytics', roles: [ROLE] }],
    });
  });

  it('reads JSON from a .json file', () => {
    const path = writeTemp('config.json', JSON.stringify({ server: { sessionSecret: SECRET, port: 8082 } }));
    assert.deepEqual(readConfigFile(path), { server: { sessionSecret: SECRET, port: 8082 } });
  });

  const broken: Array<{ name: string; path: () => string }> = [
    { name: 'a missing file', path: () => join(tmp, 'does-not-exist.yml') },
    {
      name: 'a directory',
      path: () => {
        const dir = join(tmp, 'a-directory.yml');
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    },
    { name: 'invalid YAML', path: () => writeTemp('broken.yml', 'server:\n  sessionSecret: [unclosed\n  port: 1\n') },
    { name: 'invalid JSON', path: () => writeTemp('broken.json', '{"server": {') },
  ];
  for (const c of broken) {
    it(`gives a ConfigError naming the path for ${c.name}`, () => {
      const path = c.path();
      const err = thrownBy(() => readConfigFile(path));
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.problems.length, 1);
      assert.ok(err.problems[0]?.startsWith(`${path}: `), err.problems[0]);
      assert.ok(err.publicMessage.includes(path));
    });
  }
});

describe('loadConfig', () => {
  it('refuses to run without a configuration file', () => {
    const err = thrownBy(() => loadConfig([], {}));
    assert.ok(err instanceof ConfigError);
  });

  it('loads the file named by --config and applies the environment', () => {
    const path = writeTemp('load.yml', `server:\n  sessionSecret: ${SECRET}\n`);
    const { config, path: used } = loadConfig(['--config', path], { PORT: '9090' });
    assert.equal(used, path);
    assert.equal(config.server.port, 9090);
  });
});

describe('src/main.ts with an invalid configuration file', () => {
  const run = (configPath: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', REDSHIFT_SSO_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const noStackTrace = (stderr: string) =>
    assert.equal(/^\s+at /m.test(stderr), false, `stack trace in stderr:\n${stderr}`);

  it('exits with status 1 and lists each problem by path, without a stack trace', () => {
    const path = writeTemp(
      'main-invalid.yml',
      [
        'server:',
        '  sessionSecret: short',
        'idps:',
        '  - id: corp',
        '    entityId: https://idp.test.example/metadata',
        '    ssoUrl: https://idp.test.example/sso',
        'clusters:',
        '  - id: analytics',
        '    roles: ["arn:aws:iam::123:role/x"]',
        '',
      ].join('\n'),
    );
    const result = run(path);
    assert.equal(result.status, 1, result.stderr);
    for (const problem of [
      'server.sessionSecret: expected at least 32 characters',
      'idps[0].certs: expected at least one certificate',
      'clusters[0].roles[0]: ',
      'clusters[0].clusterIdentifier: required for a provisioned cluster',
    ]) {
      assert.ok(result.stderr.includes(problem), `stderr lacks "${problem}":\n${result.stderr}`);
    }
    noStackTrace(result.stderr);
  });

  it('exits with status 1 and names the file when it cannot be read', () => {
    const path = join(tmp, 'missing', 'config.yml');
    const result = run(path);
    assert.equal(result.status, 1, result.stderr);
    assert.ok(result.stderr.includes(path), result.stderr);
    noStackTrace(result.stderr);
  });
});

describe('outbound proxy settings', () => {
  const proxyOf = (file: Record<string, unknown>, env: Record<string, string> = {}) =>
    buildConfig({ ...minimal(), ...file }, env).outboundProxy;

  it('is off by default', () => {
    assert.deepEqual(proxyOf({}), { noProxy: [] });
  });

  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY; the lowercase spelling wins, as with curl', () => {
    assert.deepEqual(
      proxyOf(
        {},
        {
          HTTPS_PROXY: 'http://upper:3128',
          https_proxy: 'http://lower:3128',
          HTTP_PROXY: 'http://plain:3129',
          NO_PROXY: 'a.example',
          no_proxy: '.corp.example, 127.0.0.1 10.0.0.0/8',
        },
      ),
      {
        httpsUrl: 'http://lower:3128',
        httpUrl: 'http://plain:3129',
        noProxy: ['.corp.example', '127.0.0.1', '10.0.0.0/8'],
      },
    );
  });

  it('takes outboundProxy from the file, a list or comma text for noProxy, and lets the environment win', () => {
    const file = { outboundProxy: { httpsUrl: 'http://file:3128', noProxy: 'a.example,b.example' } };
    assert.deepEqual(proxyOf(file), { httpsUrl: 'http://file:3128', noProxy: ['a.example', 'b.example'] });
    assert.deepEqual(proxyOf({ outboundProxy: { noProxy: ['x.example'] } }), { noProxy: ['x.example'] });
    assert.deepEqual(proxyOf(file, { HTTPS_PROXY: 'http://env:3128', NO_PROXY: '*' }), {
      httpsUrl: 'http://env:3128',
      noProxy: ['*'],
    });
  });

  it('reads a proxy without a scheme as plain http, as curl does', () => {
    assert.equal(proxyOf({}, { HTTPS_PROXY: 'proxy.corp:3128' }).httpsUrl, 'http://proxy.corp:3128');
  });

  it('reports an unusable proxy URL by path, without echoing its password', () => {
    const problems = problemsOf({
      ...minimal(),
      outboundProxy: { httpsUrl: 'socks5://svc:hunter2@proxy:1080', httpUrl: 'http://' },
    });
    assert.deepEqual(pathsOf(problems), ['outboundProxy.httpUrl', 'outboundProxy.httpsUrl']);
    assert.ok(!problems.join('\n').includes('hunter2'), problems.join('\n'));
    assert.deepEqual(pathsOf(problemsOf(minimal(), { HTTPS_PROXY: 'ftp://proxy:21' })), ['outboundProxy.httpsUrl']);
  });
});
