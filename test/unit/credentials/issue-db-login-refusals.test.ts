// issueDbLogin refuses before calling Redshift (the role, the cluster, the sealed role session and
// whom it was sealed for), and passes on the AWS errors Redshift answers with.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterConfig } from '../../../src/config/schema.ts';
import type { RoleGrant } from '../../../src/credentials/assume-roles.ts';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import type { FederatedIdentity } from '../../../src/saml/federated-identity.ts';
import { aFederatedIdentity, aRoleSession, roleArn } from '../../support/unit-builders.ts';
import { assertAppError, rejectionOf } from '../../support/unit-errors.ts';
import { aGrant, BINDING, NOW, session, setup, vault } from '../../support/issue-db-login-setup.ts';

describe('issueDbLogin refusals', () => {
  const refused: Array<{
    name: string;
    clusters?: ClusterConfig[];
    grant?: () => RoleGrant;
    clusterId?: string;
    sessionId?: string;
    identity?: FederatedIdentity;
    code: string;
    status: number;
  }> = [
    {
      name: 'a role the cluster does not list',
      grant: () => aGrant({ roleArn: roleArn('Intruder') }),
      code: 'ROLE_NOT_PERMITTED',
      status: 403,
    },
    { name: 'a cluster that is not configured', clusterId: 'nope', code: 'CLUSTER_UNKNOWN', status: 404 },
    {
      name: 'an expired role session',
      grant: () =>
        aGrant({ sealed: vault.seal(aRoleSession({ expiration: new Date(NOW.getTime() - 1000) }), BINDING) }),
      code: 'AWS_SESSION_EXPIRED',
      status: 401,
    },
    {
      name: 'a role session expiring right now',
      grant: () => aGrant({ sealed: vault.seal(aRoleSession({ expiration: NOW }), BINDING) }),
      code: 'AWS_SESSION_EXPIRED',
      status: 401,
    },
    {
      name: 'a grant without a sealed session',
      grant: () => aGrant({ sealed: undefined }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed with another secret',
      grant: () =>
        aGrant({ sealed: createRoleSessionVault('another-session-secret-of-32-chars!').seal(session, BINDING) }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for another browser session (copied into this one)',
      sessionId: 'browser-session-2',
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for another person',
      identity: aFederatedIdentity({ nameId: 'bob@example.com' }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    {
      name: 'a session sealed for the same NameID at another IdP',
      identity: aFederatedIdentity({ idpId: 'other' }),
      code: 'ROLE_SESSION_MISSING',
      status: 401,
    },
    { name: 'a request without a session ID', sessionId: '', code: 'ROLE_SESSION_MISSING', status: 401 },
    {
      name: 'a role STS refused at sign-in',
      grant: () =>
        aGrant({
          status: 'refused',
          sealed: undefined,
          error: { code: 'AWS_ACCESS_DENIED', status: 403, message: 'denied' },
        }),
      code: 'AWS_ACCESS_DENIED',
      status: 403,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.code} before calling Redshift`, async () => {
      const { redshift, issue } = setup({ clusters: c.clusters });
      assertAppError(
        await rejectionOf(
          issue({ grant: c.grant?.(), clusterId: c.clusterId, sessionId: c.sessionId, identity: c.identity }),
        ),
        c.code,
        c.status,
      );
      assert.equal(redshift.calls.length, 0);
    });
  }

  const awsFailures: Array<{
    op: 'getClusterCredentials' | 'describeClusterEndpoint';
    sdkName: string;
    code: string;
    status: number;
  }> = [
    { op: 'getClusterCredentials', sdkName: 'ExpiredTokenException', code: 'AWS_SESSION_EXPIRED', status: 401 },
    { op: 'getClusterCredentials', sdkName: 'AccessDenied', code: 'AWS_ACCESS_DENIED', status: 403 },
    { op: 'getClusterCredentials', sdkName: 'ClusterNotFoundFault', code: 'AWS_CLUSTER_NOT_FOUND', status: 404 },
    { op: 'describeClusterEndpoint', sdkName: 'ThrottlingException', code: 'AWS_UNAVAILABLE', status: 502 },
  ];
  for (const c of awsFailures) {
    it(`passes on ${c.code} when ${c.op} fails with ${c.sdkName}`, async () => {
      const { redshift, issue } = setup();
      redshift.failWith(c.op, c.sdkName);
      assertAppError(await rejectionOf(issue()), c.code, c.status);
    });
  }
});
