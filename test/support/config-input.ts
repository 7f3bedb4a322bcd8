// Configuration inputs for the config tests: a minimal file, an IdP and a cluster entry with
// overrides, and readers of the ConfigError a bad input gives (its problems, their field paths).
import assert from 'node:assert/strict';
import { buildConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';
import { thrownBy } from './unit-errors.ts';
import { testSessionSecret } from './test-secret.ts';

export const SECRET = testSessionSecret();
export const ROLE = 'arn:aws:iam::123456789012:role/RedshiftAnalyst';

export const minimal = (): Record<string, unknown> => ({ server: { sessionSecret: SECRET } });
export const anIdp = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'corp',
  entityId: 'https://idp.test.example/metadata',
  ssoUrl: 'https://idp.test.example/sso',
  certs: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
  ...overrides,
});
export const aCluster = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'analytics',
  clusterIdentifier: 'analytics-cluster',
  roles: [ROLE],
  ...overrides,
});

export function problemsOf(input: unknown, env: Record<string, string> = {}): string[] {
  const err = thrownBy(() => buildConfig(input, env));
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  assert.equal(err.code, 'CONFIG_INVALID');
  return err.problems;
}

/** The part of each problem before ": ", sorted: the field paths reported. */
export function pathsOf(problems: string[]): string[] {
  return problems.map((p) => p.slice(0, p.indexOf(': '))).sort();
}
