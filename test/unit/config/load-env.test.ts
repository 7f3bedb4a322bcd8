// Environment variables over the configuration file (PORT, REDSHIFT_SSO_*, AWS_REGION), and the
// outbound proxy settings read from the file and the curl-style *_PROXY variables.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../src/config/load.ts';
import { minimal, pathsOf, problemsOf, SECRET } from '../../support/config-input.ts';

type Config = ReturnType<typeof buildConfig>;
interface EnvCase {
  name: string;
  file?: Record<string, unknown>;
  env: Record<string, string>;
  check: (c: Config) => unknown;
  expected: unknown;
}

/** REDSHIFT_SSO_TRUST_PROXY=`value` (over `file`, if given) gives server.trustProxy `expected`. */
const trustProxyCase = (name: string, value: string, expected: unknown, file?: Record<string, unknown>): EnvCase => ({
  name,
  ...(file === undefined ? {} : { file }),
  env: { REDSHIFT_SSO_TRUST_PROXY: value },
  check: (c) => c.server.trustProxy,
  expected,
});

describe('buildConfig environment', () => {
  const envCases: EnvCase[] = [
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
    trustProxyCase('REDSHIFT_SSO_TRUST_PROXY=true is a boolean', 'true', true),
    trustProxyCase('REDSHIFT_SSO_TRUST_PROXY=false is a boolean', 'false', false, {
      server: { sessionSecret: SECRET, trustProxy: true },
    }),
    trustProxyCase('REDSHIFT_SSO_TRUST_PROXY=2 is a hop count', '2', 2),
    trustProxyCase('REDSHIFT_SSO_TRUST_PROXY=loopback stays text', 'loopback', 'loopback'),
    trustProxyCase(
      'REDSHIFT_SSO_TRUST_PROXY takes a comma-separated list',
      'loopback, 10.0.0.0/8',
      'loopback, 10.0.0.0/8',
    ),
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
