// signInWithSaml with a stand-in service provider and a recording fake STS: who becomes an admin
// (a group in admin.groups, through an IdP that may make admins), the session's absolute end
// (lifetime from sign-in, cut short by SessionNotOnOrAfter), and an admin signing in before any
// cluster accepts their roles.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signInWithSaml, type SignInDeps } from '../../../src/sign-in/sign-in.ts';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import { createLogger } from '../../../src/logger.ts';
import type { ServiceProvider, ValidatedLogin } from '../../../src/saml/service-provider.ts';
import type { FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { aFederatedIdentity } from '../../support/unit-builders.ts';
import { assertAppError, rejectionOf } from '../../support/unit-errors.ts';
import { createFakeSts } from '../../support/unit-fake-sts.ts';

const NOW = new Date('2030-01-01T08:00:00.000Z');
const LIFETIME_S = 43_200;

type DepOptions = {
  identity?: FederatedIdentity;
  grantsAdmin?: boolean;
  sessionNotOnOrAfter?: Date;
  clusterAcceptsRoles?: boolean;
};

/** The validated login the strategy hands over, and the rest of what the use case needs. */
function deps(options: DepOptions = {}): SignInDeps & { login: ValidatedLogin } {
  const login: ValidatedLogin = {
    identity: options.identity ?? aFederatedIdentity(),
    assertionId: '_a1',
    expiresAt: new Date(NOW.getTime() + 300_000),
    samlResponse: 'PHNhbWxwOlJlc3BvbnNlLz4=',
    ...(options.sessionNotOnOrAfter === undefined ? {} : { sessionNotOnOrAfter: options.sessionNotOnOrAfter }),
  };
  const sp = {
    idp: () => ({ maxSessionDurationSeconds: 3600, grantsAdmin: options.grantsAdmin ?? true }),
  } as unknown as ServiceProvider;
  return {
    login,
    sp,
    sts: createFakeSts({ now: () => NOW }),
    vault: createRoleSessionVault('0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978'),
    logger: createLogger({ level: 'silent' }),
    now: () => NOW,
    adminGroups: ['Admins'],
    sessionMaxLifetimeSeconds: LIFETIME_S,
    mayUseAnyCluster: () => options.clusterAcceptsRoles ?? true,
  };
}

const signIn = (d: SignInDeps & { login: ValidatedLogin }) => signInWithSaml(d, d.login, 'session-1');
const admins = aFederatedIdentity({ groups: ['analysts', 'admins'] });

describe('signInWithSaml', () => {
  it('makes a member of admin.groups an admin through an IdP that may make admins', async () => {
    assert.equal((await signIn(deps({ identity: admins }))).admin, true);
  });

  it('makes nobody an admin through an IdP that may not, whatever groups it asserts', async () => {
    assert.equal((await signIn(deps({ identity: admins, grantsAdmin: false }))).admin, false);
  });

  it('ends the session the configured lifetime after sign-in', async () => {
    const user = await signIn(deps());
    assert.equal(user.signedInAt, NOW.toISOString());
    assert.equal(user.sessionExpiresAt, new Date(NOW.getTime() + LIFETIME_S * 1000).toISOString());
  });

  it('ends the session at SessionNotOnOrAfter when the IdP sets it earlier', async () => {
    const idpEnd = new Date(NOW.getTime() + 3_600_000);
    assert.equal((await signIn(deps({ sessionNotOnOrAfter: idpEnd }))).sessionExpiresAt, idpEnd.toISOString());
  });

  it('lets an admin sign in, without role sessions, before any cluster accepts their roles', async () => {
    const d = deps({ identity: admins, clusterAcceptsRoles: false });
    const user = await signIn(d);
    assert.equal(user.admin, true);
    assert.deepEqual(user.grants, []);
  });

  it('still refuses anyone else whose roles no cluster accepts', async () => {
    for (const d of [
      deps({ clusterAcceptsRoles: false }),
      deps({ identity: admins, grantsAdmin: false, clusterAcceptsRoles: false }),
    ]) {
      assertAppError(await rejectionOf(signIn(d)), 'ROLE_NOT_PERMITTED', 403);
    }
  });
});
