// Demo mode only by intent: `src/main.ts` started as an operator would, with a setting that shows
// a configured service was meant (or a demo exposed beyond loopback without asking), exits with
// status 1 and says which variable and what to do, before any demo code runs.
import { testSessionSecret } from '../support/test-secret.ts';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runServiceToExit } from '../support/spawn-service.ts';

// No configuration from the test runner's own environment leaks into these starts.
const CLEAN: Record<string, string | undefined> = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.startsWith('REDSHIFT_SSO_') || k.startsWith('DEMO_'))
    .map((k) => [k, undefined]),
);

const refusals: Array<{ name: string; env: Record<string, string>; args?: string[]; message: string }> = [
  {
    name: 'an empty REDSHIFT_SSO_CONFIG',
    env: { REDSHIFT_SSO_CONFIG: '' },
    message: 'REDSHIFT_SSO_CONFIG: set but empty',
  },
  {
    name: 'a store URL without a configuration file',
    env: { REDSHIFT_SSO_STORE_URL: 'postgres://postgres@127.0.0.1:5432/production' },
    message: 'REDSHIFT_SSO_CONFIG: not set, but REDSHIFT_SSO_STORE_URL configures the service',
  },
  {
    name: 'a session secret and trust proxy without a configuration file',
    env: { REDSHIFT_SSO_SESSION_SECRET: testSessionSecret(), REDSHIFT_SSO_TRUST_PROXY: '1' },
    message: 'REDSHIFT_SSO_SESSION_SECRET, REDSHIFT_SSO_TRUST_PROXY configure the service',
  },
  {
    name: 'a non-loopback host without REDSHIFT_SSO_DEMO=1',
    env: { REDSHIFT_SSO_HOST: '0.0.0.0' },
    message: 'REDSHIFT_SSO_HOST: demo mode listens on loopback only',
  },
  {
    name: 'a public base URL without REDSHIFT_SSO_DEMO=1',
    env: { REDSHIFT_SSO_BASE_URL: 'https://sso.example.com' },
    message: 'REDSHIFT_SSO_BASE_URL: demo mode serves loopback addresses only',
  },
  {
    name: 'REDSHIFT_SSO_DEMO=1 with NODE_ENV=production',
    env: { REDSHIFT_SSO_DEMO: '1', NODE_ENV: 'production' },
    message: 'demo mode is refused when NODE_ENV=production',
  },
  {
    name: 'REDSHIFT_SSO_DEMO=1 with a configuration file',
    env: { REDSHIFT_SSO_DEMO: '1' },
    args: ['--config', 'config.example.yml'],
    message: 'REDSHIFT_SSO_DEMO: demo mode takes no configuration file',
  },
  {
    name: 'REDSHIFT_SSO_DEMO set to anything but 1',
    env: { REDSHIFT_SSO_DEMO: 'yes' },
    message: 'REDSHIFT_SSO_DEMO: expected 1',
  },
];

describe('src/main.ts refuses demo mode by accident', () => {
  for (const c of refusals) {
    it(`exits with status 1 for ${c.name}`, async () => {
      const { status, output } = await runServiceToExit({ ...CLEAN, NODE_ENV: 'test', ...c.env }, c.args);
      assert.equal(status, 1, output);
      assert.ok(output.includes(c.message), `"${c.message}" not in:\n${output}`);
      assert.ok(!/DEMO MODE|redshift-sso demo/.test(output), 'no demo code ran');
      assert.equal(/^\s+at /m.test(output), false, `no stack trace:\n${output}`);
    });
  }
});
