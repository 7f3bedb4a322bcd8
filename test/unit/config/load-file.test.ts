// Configuration files: which file (--config, REDSHIFT_SSO_CONFIG), reading YAML and JSON, loadConfig,
// and the process exiting with status 1 and every problem by path on a bad file.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configPathFrom, loadConfig, readConfigFile } from '../../../src/config/load.ts';
import { ConfigError } from '../../../src/errors.ts';
import { thrownBy } from '../../support/unit-errors.ts';
import { ROLE, SECRET } from '../../support/config-input.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'redshift-sso-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

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
