// Which start runs demo mode: only with no configuration at all, on loopback unless
// REDSHIFT_SSO_DEMO=1 asks for more, always with its own store directory. (The refusals are also
// checked through src/main.ts in test/e2e/demo-mode-refusals.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startMode } from '../../../src/config/start-mode.ts';
import { ConfigError } from '../../../src/errors.ts';
import { thrownBy } from '../../support/unit-errors.ts';

describe('startMode', () => {
  const demos: Array<{ name: string; env: Record<string, string>; expected: Record<string, unknown> }> = [
    {
      name: 'nothing set',
      env: {},
      expected: { host: '127.0.0.1', port: 3000, baseUrl: 'http://localhost:3000', dataDir: 'data' },
    },
    {
      name: 'a port and a loopback base URL',
      env: { PORT: '8080', REDSHIFT_SSO_BASE_URL: 'http://127.0.0.1:8080/' },
      expected: { host: '127.0.0.1', port: 8080, baseUrl: 'http://127.0.0.1:8080' },
    },
    {
      name: 'REDSHIFT_SSO_DEMO=1 with a host',
      env: { REDSHIFT_SSO_DEMO: '1', REDSHIFT_SSO_HOST: '0.0.0.0' },
      expected: { host: '0.0.0.0', baseUrl: 'http://localhost:3000' },
    },
    {
      name: 'DEMO_DATA_DIR',
      env: { DEMO_DATA_DIR: '/tmp/demo-state', DEMO_PG_URL: 'postgres://x@127.0.0.1/y' },
      expected: { dataDir: '/tmp/demo-state' },
    },
  ];
  for (const c of demos) {
    it(`starts demo mode with ${c.name}`, () => {
      const mode = startMode([], c.env);
      assert.equal(mode.kind, 'demo');
      if (mode.kind !== 'demo') return;
      for (const [key, value] of Object.entries(c.expected))
        assert.deepEqual((mode.demo as unknown as Record<string, unknown>)[key], value, key);
    });
  }

  it('runs the configured service when a file is named', () => {
    assert.deepEqual(startMode(['--config', 'x.yml'], { REDSHIFT_SSO_STORE_URL: 'postgres://db/x' }), {
      kind: 'configured',
      path: 'x.yml',
    });
    assert.deepEqual(startMode([], { REDSHIFT_SSO_CONFIG: 'x.yml' }), { kind: 'configured', path: 'x.yml' });
  });

  const refused: Array<{ name: string; env: Record<string, string>; problem: RegExp }> = [
    {
      name: 'an empty REDSHIFT_SSO_CONFIG',
      env: { REDSHIFT_SSO_CONFIG: '' },
      problem: /^REDSHIFT_SSO_CONFIG: set but empty/,
    },
    {
      name: 'an empty REDSHIFT_SSO_STORE_URL',
      env: { REDSHIFT_SSO_STORE_URL: '' },
      problem: /REDSHIFT_SSO_STORE_URL configures the service/,
    },
    {
      name: 'REDSHIFT_SSO_MODE',
      env: { REDSHIFT_SSO_MODE: 'development' },
      problem: /REDSHIFT_SSO_MODE configures the service/,
    },
    {
      name: 'a LAN host',
      env: { REDSHIFT_SSO_HOST: '192.168.1.10' },
      problem: /^REDSHIFT_SSO_HOST: demo mode listens on loopback only/,
    },
    { name: 'a non-numeric port', env: { PORT: 'http' }, problem: /^PORT: expected a port number/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const err = thrownBy(() => startMode([], c.env));
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.problems.join('\n'), c.problem);
    });
  }
});
