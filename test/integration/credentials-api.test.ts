// Issuing database logins through the JSON API after sign-in, with the real AWS SDK against the
// emulator: what reaches AWS, what comes back, and how refusals look.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  harnessForEachTest,
  startAppHarness,
  SECOND_ROLE_ARN,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  TEST_CLUSTER_PORT,
  type AppHarness,
} from '../support/app-harness.ts';
import { assertJsonError } from '../support/app-assertions.ts';
import { actions, signedIn, type IssuedLogin } from '../support/credentials-flow.ts';
import { TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';

const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

/** Signs alice in, then asserts /api/credentials refuses each body with `status` and `code`, and no
 *  AWS call was made for any of them. */
async function refusedWithoutAws(
  h: AppHarness,
  bodies: Array<Record<string, unknown>>,
  status: number,
  code: string | string[],
): Promise<void> {
  await signedIn(h);
  const mark = h.emulator.calls.length;
  for (const body of bodies) await assertJsonError(await h.client.postJson('/api/credentials', body), status, code);
  assert.deepEqual(actions(h, mark), []);
}

describe('POST /api/credentials', () => {
  let h: AppHarness;
  harnessForEachTest(async () => (h = await startAppHarness()));

  it('issues a database login for the signed-in user', async () => {
    await signedIn(h);
    const before = Date.now();
    const res = await h.client.postJson('/api/credentials', { cluster: 'analytics' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const login = (await res.json()) as IssuedLogin;
    assert.equal(login.dbUser, 'IAM:alice');
    assert.equal(typeof login.dbPassword, 'string');
    assert.ok(login.dbPassword.length >= 40, 'a real-looking temporary password');
    assert.match(login.expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const expiresIn = Date.parse(login.expiration) - before;
    assert.ok(expiresIn > 800_000 && expiresIn <= 905_000, `expires in about 900 s (${expiresIn} ms)`);
    assert.equal(login.host, TEST_CLUSTER_HOST, 'host from DescribeClusters');
    assert.equal(login.port, TEST_CLUSTER_PORT);
    assert.equal(login.database, 'dev');
    const strings = login.connectionStrings;
    assert.deepEqual(Object.keys(strings).sort(), [
      'dbt',
      'env',
      'jdbc',
      'keywords',
      'odbc',
      'pgpass',
      'python',
      'sqlalchemy',
      'uri',
    ]);
    const encodedPassword = encodeURIComponent(login.dbPassword).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
    // No CA bundle configured: libpq 16+ verifies against the system's roots.
    assert.equal(
      strings.uri,
      `postgresql://IAM%3Aalice:${encodedPassword}@${TEST_CLUSTER_HOST}:${TEST_CLUSTER_PORT}/dev?sslmode=verify-full&sslrootcert=system`,
    );
    assert.ok(strings.keywords?.includes(`host=${TEST_CLUSTER_HOST}`));
    assert.ok(strings.jdbc?.startsWith(`jdbc:redshift://${TEST_CLUSTER_HOST}:${TEST_CLUSTER_PORT}/dev?`));
    assert.ok(strings.jdbc?.includes(`password=${encodedPassword}`));
    assert.ok(strings.odbc?.includes(`PWD={${login.dbPassword}}`));
    assert.ok(strings.python?.includes(`password='${login.dbPassword}'`));
    assert.equal(strings.pgpass, `${TEST_CLUSTER_HOST}:${TEST_CLUSTER_PORT}:dev:IAM\\:alice:${login.dbPassword}`);

    assert.deepEqual(actions(h), ['AssumeRoleWithSAML', 'GetClusterCredentials', 'DescribeClusters']);
    const [sts, gcc] = h.emulator.calls;
    const { Policy, ...stsParams } = sts?.params ?? {};
    assert.deepEqual(stsParams, { RoleArn: TEST_ROLE_ARN, PrincipalArn: TEST_PRINCIPAL_ARN, DurationSeconds: '3600' });
    assert.match(
      String(Policy),
      /dbuser:analytics-cluster\/alice"/,
      'the role session is scoped to her own DbUser (session-policy.test.ts)',
    );
    assert.equal(gcc?.ok, true);
    assert.equal(gcc?.params.DbUser, 'alice');
    assert.deepEqual(gcc?.params.DbGroups, ['analysts']);
    assert.equal(gcc?.params.ClusterIdentifier, TEST_CLUSTER_IDENTIFIER);
    assert.equal(gcc?.params.DurationSeconds, '900');
    assert.equal(gcc?.params.DbName, 'dev');
    assert.equal(gcc?.params.AutoCreate, 'false');
  });

  it('answers 401 NOT_SIGNED_IN without a session', async () => {
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics' }), 401, 'NOT_SIGNED_IN');
    await assertJsonError(await h.client.get('/api/me', { accept: 'application/json' }), 401, 'NOT_SIGNED_IN');
    assert.deepEqual(h.emulator.calls, []);
  });

  it('answers 415 to a form-encoded body', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    const res = await h.client.postForm('/api/credentials', { cluster: 'analytics' }, { accept: 'application/json' });
    await assertJsonError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.deepEqual(actions(h, mark), []);
  });

  // A cross-site form can send text/plain (or multipart) without a CORS preflight; only JSON may pass.
  it('answers 415 UNSUPPORTED_MEDIA_TYPE to a JSON body sent as text/plain, XML, multipart or with no content type', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/xml',
      'multipart/form-data; boundary=x',
      undefined,
    ]) {
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(type === undefined ? {} : { 'content-type': type }),
      };
      const res = await h.client.request('POST', '/api/credentials', {
        headers,
        body: type === undefined ? undefined : '{"cluster":"analytics"}',
      });
      await assertJsonError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assert.deepEqual(actions(h, mark), [], 'no AWS call for any of them');
  });

  it('answers 403 to a cross-origin request and accepts a same-origin one', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    await assertJsonError(
      await h.client.postJson('/api/credentials', { cluster: 'analytics' }, { origin: 'https://evil.example' }),
      403,
      'CROSS_ORIGIN_REFUSED',
    );
    assert.deepEqual(actions(h, mark), []);
    const same = await h.client.postJson('/api/credentials', { cluster: 'analytics' }, { origin: h.baseUrl });
    assert.equal(same.status, 200);
  });

  it('answers 400 to a body that is not the expected JSON', async () => {
    await signedIn(h);
    await assertJsonError(
      await h.client.request('POST', '/api/credentials', {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: '{"cluster":',
      }),
      400,
      'BAD_JSON',
    );
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 42 }), 400, 'BAD_REQUEST');
  });

  it('answers 404 CLUSTER_UNKNOWN for a cluster that is not configured', async () => {
    await refusedWithoutAws(h, [{ cluster: 'nope', role: TEST_ROLE_ARN }, { cluster: 'nope' }], 404, 'CLUSTER_UNKNOWN');
  });

  it('answers 403 for a role the sign-in did not grant', async () => {
    await refusedWithoutAws(h, [{ cluster: 'analytics', role: SECOND_ROLE_ARN }], 403, [
      'ROLE_NOT_GRANTED',
      'ROLE_NOT_PERMITTED',
    ]);
  });

  it('answers 403 AWS_ACCESS_DENIED naming role, cluster and DbUser when Redshift refuses', async () => {
    await signedIn(h);
    h.emulator.failNext('GetClusterCredentials', {
      code: 'AccessDenied',
      message: 'User: assumed-role is not authorized to perform: redshift:GetClusterCredentials',
      status: 403,
    });
    const error = await assertJsonError(
      await h.client.postJson('/api/credentials', { cluster: 'analytics' }),
      403,
      'AWS_ACCESS_DENIED',
    );
    assert.match(error.message, /RedshiftAnalyst/, 'names the role');
    assert.ok(error.message.includes(TEST_CLUSTER_IDENTIFIER), 'names the cluster');
    assert.match(error.message, /"alice"/, 'names the DbUser');
  });

  it('answers 404 AWS_CLUSTER_NOT_FOUND when Redshift does not know the cluster', async () => {
    await signedIn(h);
    h.emulator.failNext('GetClusterCredentials', {
      code: 'ClusterNotFound',
      message: `Cluster ${TEST_CLUSTER_IDENTIFIER} not found.`,
      status: 404,
    });
    const error = await assertJsonError(
      await h.client.postJson('/api/credentials', { cluster: 'analytics' }),
      404,
      'AWS_CLUSTER_NOT_FOUND',
    );
    assert.ok(error.message.includes(TEST_CLUSTER_IDENTIFIER));
  });

  it('asks STS for SessionDuration up to the IdP maximum, and retries at one hour when the role allows less', async () => {
    await h.close();
    h = await startAppHarness({ idp: { maxSessionDurationSeconds: 43200 } });
    await signedIn(h, { extraAttributes: { [SESSION_DURATION]: '7200' } });
    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML');
    assert.deepEqual(
      sts.map((c) => [c.params.DurationSeconds, c.ok, c.errorCode]),
      [
        ['7200', false, 'ValidationError'],
        ['3600', true, undefined],
      ],
      'the role allows 3600 (MaxSessionDuration): STS refuses 7200, the retry at 3600 succeeds',
    );
  });

  it('caps the role session at the IdP maximum, one hour by default', async () => {
    await signedIn(h, { extraAttributes: { [SESSION_DURATION]: '7200' } });
    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML');
    assert.equal(sts.length, 1);
    assert.equal(sts[0]?.params.DurationSeconds, '3600');
  });

  it('passes a shorter SessionDuration to STS as is', async () => {
    await signedIn(h, { extraAttributes: { [SESSION_DURATION]: '1800' } });
    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML');
    assert.equal(sts[0]?.params.DurationSeconds, '1800');
  });
});

describe('POST /api/credentials for a cluster Redshift does not have', () => {
  let h: AppHarness;
  harnessForEachTest(
    async () =>
      (h = await startAppHarness({
        clusters: [{ id: 'ghost', clusterIdentifier: 'ghost-cluster', roles: [TEST_ROLE_ARN] }],
      })),
  );

  it('answers 404 AWS_CLUSTER_NOT_FOUND', async () => {
    await signedIn(h);
    const error = await assertJsonError(
      await h.client.postJson('/api/credentials', { cluster: 'ghost' }),
      404,
      'AWS_CLUSTER_NOT_FOUND',
    );
    assert.ok(error.message.includes('ghost-cluster'));
  });
});

describe('POST /api/credentials for a cluster the role may not use', () => {
  let h: AppHarness;
  harnessForEachTest(
    async () =>
      (h = await startAppHarness({
        clusters: [
          { id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] },
          { id: 'finance', clusterIdentifier: 'finance-cluster', roles: [SECOND_ROLE_ARN] },
        ],
      })),
  );

  it('answers 403 ROLE_NOT_PERMITTED, with or without the role named', async () => {
    await refusedWithoutAws(
      h,
      [{ cluster: 'finance', role: TEST_ROLE_ARN }, { cluster: 'finance' }],
      403,
      'ROLE_NOT_PERMITTED',
    );
  });
});
