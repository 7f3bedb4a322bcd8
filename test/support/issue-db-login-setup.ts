// issueDbLogin wired to a recording fake Redshift, for its unit tests: a fixed clock, a role grant
// sealed for one browser session, and `setup()` giving the fake and an issue() with defaults.
import type { ClusterConfig } from '../../src/config/schema.ts';
import type { RoleGrant } from '../../src/credentials/assume-roles.ts';
import { EndpointCache, issueDbLogin } from '../../src/credentials/issue-db-login.ts';
import { createRoleSessionVault } from '../../src/credentials/role-session-vault.ts';
import type { FederatedIdentity } from '../../src/saml/federated-identity.ts';
import { aCluster, aFederatedIdentity, aRolePair, aRoleSession } from './unit-builders.ts';
import { createFakeRedshift, type FakeRedshift, type FakeRedshiftOptions } from './unit-fake-redshift.ts';

export const NOW = new Date('2030-01-01T00:00:00.000Z');
export const ANALYST = aRolePair('RedshiftAnalyst');
export const vault = createRoleSessionVault('a-session-secret-of-32-characters!');
export const session = aRoleSession({ expiration: new Date(NOW.getTime() + 3600_000) });
export const SESSION_ID = 'browser-session-1';
export const BINDING = {
  sessionId: SESSION_ID,
  idpId: aFederatedIdentity().idpId,
  nameId: aFederatedIdentity().nameId,
};

export function aGrant(overrides: Partial<RoleGrant> = {}): RoleGrant {
  return {
    ...ANALYST,
    status: 'ready',
    sealed: vault.seal(session, BINDING),
    expiresAt: session.expiration.toISOString(),
    ...overrides,
  };
}

export interface Setup {
  clusters?: ClusterConfig[];
  redshift?: FakeRedshiftOptions;
  endpoints?: EndpointCache;
  now?: () => Date;
}

export function setup(options: Setup = {}) {
  const now = options.now ?? (() => NOW);
  const redshift: FakeRedshift = createFakeRedshift({ now, ...options.redshift });
  const deps = {
    redshift,
    vault,
    clusters: options.clusters ?? [aCluster()],
    defaultRegion: 'us-east-1',
    endpoints: options.endpoints ?? new EndpointCache(),
    now,
  };
  const issue = (
    input: { identity?: FederatedIdentity; grant?: RoleGrant; clusterId?: string; sessionId?: string } = {},
  ) =>
    issueDbLogin(deps, {
      identity: input.identity ?? aFederatedIdentity(),
      grant: input.grant ?? aGrant(),
      clusterId: input.clusterId ?? 'analytics',
      sessionId: input.sessionId ?? SESSION_ID,
    });
  return { redshift, issue };
}
