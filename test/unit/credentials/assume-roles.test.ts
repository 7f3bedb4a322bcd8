// assumeGrantedRoles with a recording fake STS: which roles are assumed, for how long, with which
// SAMLResponse, how refusals and the MaxSessionDuration retry behave, and the concurrency bound.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assumeGrantedRoles,
  MAX_PARALLEL_STS_CALLS,
  type AssumeRolesInput,
} from '../../../src/credentials/assume-roles.ts';
import { createRoleSessionVault } from '../../../src/credentials/role-session-vault.ts';
import { createLogger } from '../../../src/logger.ts';
import { aFederatedIdentity, aRolePair, roleArn } from '../../support/unit-builders.ts';
import { assertAppError, rejectionOf } from '../../support/unit-errors.ts';
import { createFakeSts, type FakeSts } from '../../support/unit-fake-sts.ts';

const SAML_RESPONSE =
  'PHNhbWxwOlJlc3BvbnNlIHhtbG5zOnNhbWxwPSJ1cm46b2FzaXM6bmFtZXM6dGM6U0FNTDoyLjA6cHJvdG9jb2wiLz4=\r\nPD94bWw+';
const DURATION_TOO_LONG = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
const SESSION_ID = 'browser-session-1';

function setup(overrides: Partial<AssumeRolesInput> = {}, sts: FakeSts = createFakeSts()) {
  const vault = createRoleSessionVault('a-session-secret-of-32-characters!');
  const deps = { sts, vault, logger: createLogger({ level: 'silent' }) };
  const input: AssumeRolesInput = {
    identity: aFederatedIdentity(),
    samlResponse: SAML_RESPONSE,
    sessionId: SESSION_ID,
    maxSessionDurationSeconds: 3600,
    mayUseAnyCluster: () => true,
    ...overrides,
  };
  const binding = { sessionId: input.sessionId, idpId: input.identity.idpId, nameId: input.identity.nameId };
  return { sts, vault, binding, run: () => assumeGrantedRoles(deps, input) };
}

describe('assumeGrantedRoles', () => {
  it('assumes each granted role with its provider and returns a sealed session for it', async () => {
    const roles = [aRolePair('A'), aRolePair('B')];
    const { sts, vault, binding, run } = setup({ identity: aFederatedIdentity({ roles }) });
    const grants = await run();
    assert.deepEqual(
      sts.calls.map((c) => [c.roleArn, c.principalArn]),
      roles.map((r) => [r.roleArn, r.principalArn]),
    );
    assert.deepEqual(
      grants.map((g) => [g.roleArn, g.principalArn, g.status]),
      roles.map((r) => [r.roleArn, r.principalArn, 'ready']),
    );
    for (const [i, grant] of grants.entries()) {
      const call = sts.calls[i];
      assert.ok(call !== undefined && grant.sealed !== undefined);
      const expected = sts.sessionFor(call);
      const opened = vault.open(grant.sealed, binding);
      assert.ok(opened !== undefined);
      assert.equal(
        vault.open(grant.sealed, { ...binding, sessionId: 'another-session' }),
        undefined,
        'sealed for this browser session only',
      );
      assert.equal(
        vault.open(grant.sealed, { ...binding, nameId: 'bob@example.com' }),
        undefined,
        'sealed for this person only',
      );
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual(opened[key as keyof typeof opened], value, key);
      assert.equal(grant.expiresAt, expected.expiration.toISOString());
      assert.match(grant.awsRequestId ?? '', /^req-/);
      // The grant holds the session only sealed.
      assert.equal(JSON.stringify(grant).includes(expected.secretAccessKey), false);
    }
  });

  it('assumes only the roles that may use some cluster', async () => {
    const roles = [aRolePair('A'), aRolePair('B'), aRolePair('C')];
    const allowed = new Set([roleArn('A'), roleArn('C')]);
    const { sts, run } = setup({
      identity: aFederatedIdentity({ roles }),
      mayUseAnyCluster: (arn) => allowed.has(arn),
    });
    const grants = await run();
    assert.deepEqual(
      sts.calls.map((c) => c.roleArn),
      [roleArn('A'), roleArn('C')],
    );
    assert.deepEqual(
      grants.map((g) => g.roleArn),
      [roleArn('A'), roleArn('C')],
    );
  });

  it('refuses with ROLE_NOT_PERMITTED, without calling STS, when no role may use a cluster', async () => {
    const { sts, run } = setup({
      identity: aFederatedIdentity({ roles: [aRolePair('A'), aRolePair('B')] }),
      mayUseAnyCluster: () => false,
    });
    assertAppError(await rejectionOf(run()), 'ROLE_NOT_PERMITTED', 403);
    assert.equal(sts.calls.length, 0);
  });

  it('passes the SAMLResponse to STS exactly as posted', async () => {
    const { sts, run } = setup({ identity: aFederatedIdentity({ roles: [aRolePair('A'), aRolePair('B')] }) });
    await run();
    assert.equal(sts.calls.length, 2);
    for (const call of sts.calls) assert.equal(call.samlAssertion, SAML_RESPONSE);
  });

  it("sends each role's own session policy for this identity, and none where there is none", async () => {
    const identity = aFederatedIdentity({ roles: [aRolePair('A'), aRolePair('B')] });
    const asked: Array<[string, string]> = [];
    const { sts, run } = setup({
      identity,
      sessionPolicy: (arn, who) => {
        asked.push([arn, who.dbUser]);
        return arn === roleArn('A') ? '{"Statement":[]}' : undefined;
      },
    });
    await run();
    assert.deepEqual(asked, [
      [roleArn('A'), 'alice'],
      [roleArn('B'), 'alice'],
    ]);
    assert.deepEqual(
      sts.calls.map((c) => [c.roleArn, c.policy]),
      [
        [roleArn('A'), '{"Statement":[]}'],
        [roleArn('B'), undefined],
      ],
    );
    assert.equal('policy' in (sts.calls[1] ?? {}), false, 'no Policy parameter at all');
  });

  // DurationSeconds: the SessionDuration attribute (one hour when the IdP sends none), bounded by
  // the IdP entry's maximum (which defaults to one hour).
  const durations: Array<{ attribute: number | undefined; max: number; expected: number }> = [
    { attribute: undefined, max: 3600, expected: 3600 },
    { attribute: 900, max: 3600, expected: 900 },
    { attribute: 1800, max: 43200, expected: 1800 },
    { attribute: 7200, max: 3600, expected: 3600 },
    { attribute: undefined, max: 43200, expected: 3600 },
    { attribute: 7200, max: 43200, expected: 7200 },
    { attribute: 43200, max: 14400, expected: 14400 },
  ];
  for (const c of durations) {
    it(`asks for ${c.expected} s with SessionDuration ${String(c.attribute)} and maximum ${c.max}`, async () => {
      const { sts, run } = setup({
        identity: aFederatedIdentity({ sessionDurationSeconds: c.attribute }),
        maxSessionDurationSeconds: c.max,
      });
      await run();
      assert.deepEqual(
        sts.calls.map((call) => call.durationSeconds),
        [c.expected],
      );
    });
  }

  // SessionNotOnOrAfter: the role session must not outlive the IdP session; STS's minimum is 900 s
  // (STS then ends the session at SessionNotOnOrAfter itself).
  const sessionLeft: Array<{ left: number; attribute?: number; max?: number; expected: number }> = [
    { left: 1200, expected: 1200 },
    { left: 899, expected: 900 },
    { left: 0, expected: 900 },
    { left: -30, expected: 900 },
    { left: 28_800, expected: 3600 },
    { left: 5000, attribute: 7200, max: 43200, expected: 5000 },
    { left: 5000, attribute: 1800, max: 43200, expected: 1800 },
  ];
  for (const c of sessionLeft) {
    it(`asks for ${c.expected} s with ${c.left} s of the IdP session left (SessionDuration ${String(c.attribute)}, maximum ${c.max ?? 3600})`, async () => {
      const { sts, run } = setup({
        identity: aFederatedIdentity({ sessionDurationSeconds: c.attribute }),
        maxSessionDurationSeconds: c.max ?? 3600,
        sessionSecondsLeft: c.left,
      });
      await run();
      assert.deepEqual(
        sts.calls.map((call) => call.durationSeconds),
        [c.expected],
      );
    });
  }

  it('does not retry above what the IdP session has left when the role refuses a long duration', async () => {
    const sts = createFakeSts();
    sts.failWith('ValidationError', { message: DURATION_TOO_LONG });
    const { run } = setup(
      {
        identity: aFederatedIdentity({ sessionDurationSeconds: 7200 }),
        maxSessionDurationSeconds: 43200,
        sessionSecondsLeft: 2000,
      },
      sts,
    );
    await run();
    assert.deepEqual(
      sts.calls.map((c) => c.durationSeconds),
      [2000],
    );
  });

  /** Runs an identity asking for 7200 s on a role allowing 43200 s; asserts STS was asked 7200 s, then 3600 s. */
  async function askedFor7200ThenRetried(sts: ReturnType<typeof createFakeSts>) {
    const { run } = setup(
      { identity: aFederatedIdentity({ sessionDurationSeconds: 7200 }), maxSessionDurationSeconds: 43200 },
      sts,
    );
    const grants = await run();
    assert.deepEqual(
      sts.calls.map((c) => c.durationSeconds),
      [7200, 3600],
    );
    return grants;
  }

  it('retries once at 3600 s when the role allows less than the 7200 s asked for', async () => {
    const sts = createFakeSts();
    sts.failWith('ValidationError', { message: DURATION_TOO_LONG, when: (input) => input.durationSeconds > 3600 });
    const grants = await askedFor7200ThenRetried(sts);
    assert.equal(grants[0]?.status, 'ready');
  });

  it('retries only once: a role refusing 3600 s too is refused with AWS_DURATION_TOO_LONG', async () => {
    const sts = createFakeSts();
    sts.failWith('ValidationError', { message: DURATION_TOO_LONG });
    const grants = await askedFor7200ThenRetried(sts);
    assert.equal(grants[0]?.status, 'refused');
    assert.equal(grants[0]?.error?.code, 'AWS_DURATION_TOO_LONG');
  });

  it('does not retry when 3600 s or less was refused', async () => {
    const sts = createFakeSts();
    sts.failWith('ValidationError', { message: DURATION_TOO_LONG });
    const { run } = setup({ identity: aFederatedIdentity({ sessionDurationSeconds: 3600 }) }, sts);
    const grants = await run();
    assert.deepEqual(
      sts.calls.map((c) => c.durationSeconds),
      [3600],
    );
    assert.equal(grants[0]?.error?.code, 'AWS_DURATION_TOO_LONG');
  });

  it('does not retry other refusals', async () => {
    const sts = createFakeSts();
    sts.failWith('AccessDenied');
    const { run } = setup(
      { identity: aFederatedIdentity({ sessionDurationSeconds: 7200 }), maxSessionDurationSeconds: 43200 },
      sts,
    );
    await run();
    assert.equal(sts.calls.length, 1);
  });

  const refusals: Array<{ sdkName: string; code: string; status: number }> = [
    { sdkName: 'AccessDenied', code: 'AWS_ACCESS_DENIED', status: 403 },
    { sdkName: 'IDPRejectedClaimException', code: 'AWS_SAML_REJECTED', status: 401 },
    { sdkName: 'ExpiredTokenException', code: 'AWS_SAML_EXPIRED', status: 401 },
    { sdkName: 'ThrottlingException', code: 'AWS_UNAVAILABLE', status: 502 },
  ];
  for (const c of refusals) {
    it(`marks a role refused with ${c.code} after ${c.sdkName} and keeps the other ready`, async () => {
      const sts = createFakeSts();
      sts.failWith(c.sdkName, { roleArn: roleArn('B') });
      const { vault, binding, run } = setup(
        { identity: aFederatedIdentity({ roles: [aRolePair('A'), aRolePair('B')] }) },
        sts,
      );
      const [a, b] = await run();
      assert.equal(a?.status, 'ready');
      assert.ok(a?.sealed !== undefined && vault.open(a.sealed, binding) !== undefined);
      assert.equal(b?.status, 'refused');
      assert.equal(b?.sealed, undefined);
      assert.equal(b?.error?.code, c.code);
      assert.equal(b?.error?.status, c.status);
      assert.ok((b?.error?.message ?? '') !== '');
    });
  }

  it('refuses a role with a generic message when STS fails unexpectedly', async () => {
    const sts = createFakeSts();
    sts.fail({ roleArn: roleArn('A'), error: new Error('socket hang up with secret-ish detail') });
    const { run } = setup({ identity: aFederatedIdentity({ roles: [aRolePair('A')] }) }, sts);
    const [a] = await run();
    assert.equal(a?.status, 'refused');
    assert.equal(a?.error?.code, 'INTERNAL_ERROR');
    assert.equal(a?.error?.status, 502);
    assert.equal(a?.error?.message.includes('secret-ish'), false);
  });

  it(`runs at most ${MAX_PARALLEL_STS_CALLS} calls at once and keeps the roles in order`, async () => {
    const roles = Array.from({ length: 25 }, (_, i) => aRolePair(`Role${i}`));
    const { sts, run } = setup({ identity: aFederatedIdentity({ roles }) });
    const grants = await run();
    assert.equal(MAX_PARALLEL_STS_CALLS, 10);
    assert.equal(sts.calls.length, 25);
    assert.equal(sts.maxInFlight, 10);
    assert.deepEqual(
      grants.map((g) => g.roleArn),
      roles.map((r) => r.roleArn),
    );
    assert.ok(grants.every((g) => g.status === 'ready'));
  });
});
