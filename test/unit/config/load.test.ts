// buildConfig: schema defaults filled in, the forms a field accepts, and a deep-frozen result that
// leaves its input alone. (Problems: load-problems.test.ts; the environment: load-env.test.ts;
// files and the process: load-file.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { buildConfig } from '../../../src/config/load.ts';
import { workerCount } from '../../../src/cluster.ts';
import { aCluster, anIdp, minimal, pathsOf, problemsOf, ROLE, SECRET } from '../../support/config-input.ts';

/** Checks the fields named in `expected`, so new settings elsewhere in a section don't break it. */
function assertFields(actual: object, expected: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expected))
    assert.deepEqual((actual as Record<string, unknown>)[key], value, key);
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
