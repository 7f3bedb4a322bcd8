// Whether an admin session may still act as admin, decided from the IdP connections as they are
// now: table-driven, one row per reason.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adminSessionProblem } from '../../../src/admin/admin-session.ts';
import type { IdpConnection } from '../../../src/saml/idp-connection.ts';
import type { SessionUser } from '../../../src/sign-in/session-user.ts';
import { aFederatedIdentity } from '../../support/unit-builders.ts';

const ISSUER = 'https://idp.test.example/metadata';

function anIdp(overrides: Partial<IdpConnection> = {}): IdpConnection {
  return { id: 'corp', entityId: ISSUER, grantsAdmin: true, ...overrides } as IdpConnection;
}

function anAdmin(idpId = 'corp'): SessionUser {
  return {
    identity: aFederatedIdentity({ idpId, issuer: idpId === 'setup-token' ? 'redshift-sso' : ISSUER }),
    grants: [],
    admin: true,
    signedInAt: '2030-01-01T00:00:00.000Z',
    sessionExpiresAt: '2030-01-01T12:00:00.000Z',
  };
}

describe('adminSessionProblem', () => {
  const cases: Array<{
    name: string;
    user: SessionUser;
    idps: IdpConnection[];
    anyIdpExists?: boolean;
    expected?: { code: string; status: number };
  }> = [
    { name: 'none for an admin of an enabled IdP that may make admins', user: anAdmin(), idps: [anIdp()] },
    {
      name: 'IDP_DISABLED when the IdP is disabled or removed',
      user: anAdmin(),
      idps: [anIdp({ id: 'other' })],
      expected: { code: 'IDP_DISABLED', status: 401 },
    },
    {
      name: 'IDP_DISABLED when another IdP took its id',
      user: anAdmin(),
      idps: [anIdp({ entityId: 'https://other.example/' })],
      expected: { code: 'IDP_DISABLED', status: 401 },
    },
    {
      name: 'IDP_ADMIN_NOT_ALLOWED when the IdP may no longer make admins',
      user: anAdmin(),
      idps: [anIdp({ grantsAdmin: false })],
      expected: { code: 'IDP_ADMIN_NOT_ALLOWED', status: 403 },
    },
    {
      name: 'none for a setup-token session while no IdP exists',
      user: anAdmin('setup-token'),
      idps: [],
      anyIdpExists: false,
    },
    {
      name: 'SETUP_SESSION_ENDED for a setup-token session once an IdP exists, even a disabled one',
      user: anAdmin('setup-token'),
      idps: [],
      anyIdpExists: true,
      expected: { code: 'SETUP_SESSION_ENDED', status: 401 },
    },
  ];
  for (const c of cases) {
    it(`is ${c.name}`, () => {
      const problem = adminSessionProblem(c.user, { idps: c.idps, anyIdpExists: c.anyIdpExists ?? c.idps.length > 0 });
      assert.deepEqual(problem === undefined ? undefined : { code: problem.code, status: problem.status }, c.expected);
    });
  }
});
