// Issuing database logins after sign-in, through the JSON API and the browser pages, with the real
// AWS SDK against the emulator: what reaches AWS, what comes back, and how refusals look.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, rolePair, SECOND_ROLE_ARN, SESSION_COOKIE, TEST_CLUSTER_HOST, TEST_CLUSTER_IDENTIFIER, TEST_CLUSTER_PORT, type AppHarness } from '../support/app-harness.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { assertJsonError, assertNoStackTrace } from '../support/app-assertions.ts';
import { AWS_ROLE, TEST_PRINCIPAL_ARN, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { decodeHtml, elementText, hiddenFields } from '../support/http-flow.ts';

const SESSION_DURATION = 'https://aws.amazon.com/SAML/Attributes/SessionDuration';

interface IssuedLogin {
  dbUser: string;
  dbPassword: string;
  expiration: string;
  host: string;
  port: number;
  database: string;
  connectionStrings: Record<string, string>;
}

async function signedIn(h: AppHarness, overrides: Parameters<AppHarness['validResponse']>[0] = {}): Promise<void> {
  const res = await h.signIn(overrides);
  assert.equal(res.status, 303, `sign-in succeeds (${res.status}: ${(await res.text()).slice(0, 300)})`);
}

function actions(h: AppHarness, mark = 0): string[] {
  return h.callsSince(mark).map((c) => c.action);
}

/** The hidden fields of the form posting to `action` on a page. */
function formFields(html: string, action: string): Record<string, string> {
  const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((m) => decodeHtml(m[1] ?? '') === action);
  assert.ok(form, `a form posting to ${action}`);
  return hiddenFields(form[2] ?? '');
}

describe('POST /api/credentials', () => {
  let h: AppHarness;
  beforeEach(async () => {
    h = await startAppHarness();
  });
  afterEach(async () => {
    await h.close();
  });

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
    assert.deepEqual(Object.keys(strings).sort(), ['dbt', 'env', 'jdbc', 'keywords', 'odbc', 'pgpass', 'python', 'sqlalchemy', 'uri']);
    const encodedPassword = encodeURIComponent(login.dbPassword).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    // No CA bundle configured: libpq 16+ verifies against the system's roots.
    assert.equal(strings.uri, `postgresql://IAM%3Aalice:${encodedPassword}@${TEST_CLUSTER_HOST}:${TEST_CLUSTER_PORT}/dev?sslmode=verify-full&sslrootcert=system`);
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
    assert.match(String(Policy), /dbuser:analytics-cluster\/alice"/, 'the role session is scoped to her own DbUser (session-policy.test.ts)');
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
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/xml', 'multipart/form-data; boundary=x', undefined]) {
      const headers: Record<string, string> = { accept: 'application/json', ...(type === undefined ? {} : { 'content-type': type }) };
      const res = await h.client.request('POST', '/api/credentials', { headers, body: type === undefined ? undefined : '{"cluster":"analytics"}' });
      await assertJsonError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assert.deepEqual(actions(h, mark), [], 'no AWS call for any of them');
  });

  it('answers 403 to a cross-origin request and accepts a same-origin one', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics' }, { origin: 'https://evil.example' }), 403, 'CROSS_ORIGIN_REFUSED');
    assert.deepEqual(actions(h, mark), []);
    const same = await h.client.postJson('/api/credentials', { cluster: 'analytics' }, { origin: h.baseUrl });
    assert.equal(same.status, 200);
  });

  it('answers 400 to a body that is not the expected JSON', async () => {
    await signedIn(h);
    await assertJsonError(await h.client.request('POST', '/api/credentials', { headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"cluster":' }), 400, 'BAD_JSON');
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 42 }), 400, 'BAD_REQUEST');
  });

  it('answers 404 CLUSTER_UNKNOWN for a cluster that is not configured', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'nope', role: TEST_ROLE_ARN }), 404, 'CLUSTER_UNKNOWN');
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'nope' }), 404, 'CLUSTER_UNKNOWN');
    assert.deepEqual(actions(h, mark), []);
  });

  it('answers 403 for a role the sign-in did not grant', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics', role: SECOND_ROLE_ARN }), 403, ['ROLE_NOT_GRANTED', 'ROLE_NOT_PERMITTED']);
    assert.deepEqual(actions(h, mark), []);
  });

  it('answers 403 AWS_ACCESS_DENIED naming role, cluster and DbUser when Redshift refuses', async () => {
    await signedIn(h);
    h.emulator.failNext('GetClusterCredentials', { code: 'AccessDenied', message: 'User: assumed-role is not authorized to perform: redshift:GetClusterCredentials', status: 403 });
    const error = await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics' }), 403, 'AWS_ACCESS_DENIED');
    assert.match(error.message, /RedshiftAnalyst/, 'names the role');
    assert.ok(error.message.includes(TEST_CLUSTER_IDENTIFIER), 'names the cluster');
    assert.match(error.message, /"alice"/, 'names the DbUser');
  });

  it('answers 404 AWS_CLUSTER_NOT_FOUND when Redshift does not know the cluster', async () => {
    await signedIn(h);
    h.emulator.failNext('GetClusterCredentials', { code: 'ClusterNotFound', message: `Cluster ${TEST_CLUSTER_IDENTIFIER} not found.`, status: 404 });
    const error = await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics' }), 404, 'AWS_CLUSTER_NOT_FOUND');
    assert.ok(error.message.includes(TEST_CLUSTER_IDENTIFIER));
  });

  it('asks STS for SessionDuration up to the IdP maximum, and retries at one hour when the role allows less', async () => {
    await h.close();
    h = await startAppHarness({ idp: { maxSessionDurationSeconds: 43200 } });
    await signedIn(h, { extraAttributes: { [SESSION_DURATION]: '7200' } });
    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML');
    assert.deepEqual(
      sts.map((c) => [c.params.DurationSeconds, c.ok, c.errorCode]),
      [['7200', false, 'ValidationError'], ['3600', true, undefined]],
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
  beforeEach(async () => {
    h = await startAppHarness({ clusters: [{ id: 'ghost', clusterIdentifier: 'ghost-cluster', roles: [TEST_ROLE_ARN] }] });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers 404 AWS_CLUSTER_NOT_FOUND', async () => {
    await signedIn(h);
    const error = await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'ghost' }), 404, 'AWS_CLUSTER_NOT_FOUND');
    assert.ok(error.message.includes('ghost-cluster'));
  });
});

describe('POST /api/credentials for a cluster the role may not use', () => {
  let h: AppHarness;
  beforeEach(async () => {
    h = await startAppHarness({
      clusters: [
        { id: 'analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN] },
        { id: 'finance', clusterIdentifier: 'finance-cluster', roles: [SECOND_ROLE_ARN] },
      ],
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers 403 ROLE_NOT_PERMITTED, with or without the role named', async () => {
    await signedIn(h);
    const mark = h.emulator.calls.length;
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'finance', role: TEST_ROLE_ARN }), 403, 'ROLE_NOT_PERMITTED');
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'finance' }), 403, 'ROLE_NOT_PERMITTED');
    assert.deepEqual(actions(h, mark), []);
  });
});

describe('browser pages after sign-in', () => {
  let h: AppHarness;
  beforeEach(async () => {
    h = await startAppHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function clusterForm(client: CookieClient = h.client): Promise<Record<string, string>> {
    const page = await client.get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    assert.ok(html.includes('Get credentials for Analytics'), 'the cluster chooser lists the cluster');
    return formFields(html, '/credentials');
  }

  it('shows the cluster chooser with a CSRF token', async () => {
    await signedIn(h);
    const fields = await clusterForm();
    assert.equal(fields.role, TEST_ROLE_ARN);
    assert.equal(fields.cluster, 'analytics');
    assert.match(fields._csrf ?? '', /^[A-Za-z0-9_-]{20,}$/);
  });

  it('refuses POST /credentials without or with a wrong CSRF token', async () => {
    await signedIn(h);
    const { _csrf: _token, ...rest } = await clusterForm();
    const mark = h.emulator.calls.length;
    await assertJsonError(await h.client.postForm('/credentials', rest, { accept: 'application/json' }), 403, 'CSRF_TOKEN_INVALID');
    await assertJsonError(await h.client.postForm('/credentials', { ...rest, _csrf: 'x'.repeat(32) }, { accept: 'application/json' }), 403, 'CSRF_TOKEN_INVALID');
    const page = await h.client.postForm('/credentials', rest);
    assert.equal(page.status, 403);
    const html = await page.text();
    assert.ok(html.includes('CSRF_TOKEN_INVALID'));
    assertNoStackTrace(html);
    assert.deepEqual(actions(h, mark), [], 'Redshift is not asked');
  });

  it('shows the credentials page, never cached, with the password in it', async () => {
    await signedIn(h);
    const fields = await clusterForm();
    const posted = await h.client.postForm('/credentials', fields);
    assert.equal(posted.status, 303, 'post, redirect, get');
    assert.equal(posted.headers.get('location'), '/credentials');
    const res = await h.client.get('/credentials');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    assert.equal(elementText(html, 'db-user'), 'IAM:alice');
    assert.equal(elementText(html, 'db-host'), TEST_CLUSTER_HOST);
    const password = elementText(html, 'db-password');
    assert.ok(password !== undefined && password.length >= 40, 'the password is on the page');
    assert.ok(elementText(html, 'conn-keywords')?.includes(`password=${password}`));
    assert.deepEqual(actions(h).slice(-2), ['GetClusterCredentials', 'DescribeClusters']);
  });

  it('signs out with the CSRF token: the old cookie no longer works', async () => {
    await signedIn(h);
    const fields = await clusterForm();
    const oldCookie = h.client.cookie(SESSION_COOKIE);
    assert.ok(oldCookie);
    await assertJsonError(await h.client.postForm('/logout', {}, { accept: 'application/json' }), 403, 'CSRF_TOKEN_INVALID');
    const out = await h.client.postForm('/logout', { _csrf: fields._csrf ?? '' });
    assert.equal(out.status, 303);
    assert.equal(out.headers.get('location'), '/');
    const replay = h.newClient();
    replay.setCookie(SESSION_COOKIE, oldCookie);
    await assertJsonError(await replay.get('/api/me', { accept: 'application/json' }), 401, 'NOT_SIGNED_IN');
    await assertJsonError(await replay.postJson('/api/credentials', { cluster: 'analytics' }), 401, 'NOT_SIGNED_IN');
  });
});

describe('a sign-in granting two roles', () => {
  let h: AppHarness;
  const twoRoles = { extraAttributes: { [AWS_ROLE]: [rolePair(TEST_ROLE_ARN), rolePair(SECOND_ROLE_ARN)] } };
  beforeEach(async () => {
    h = await startAppHarness({ clusters: [{ id: 'analytics', name: 'Analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, roles: [TEST_ROLE_ARN, SECOND_ROLE_ARN] }] });
  });
  afterEach(async () => {
    await h.close();
  });

  it('shows the role chooser listing both roles', async () => {
    await signedIn(h, twoRoles);
    const page = await h.client.get('/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Choose a role/);
    assert.ok(html.includes(TEST_ROLE_ARN));
    assert.ok(html.includes(SECOND_ROLE_ARN));
    assert.ok(html.includes(`href="/?role=${encodeURIComponent(SECOND_ROLE_ARN)}"`), 'each ready role is a choice');
    const sts = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML').map((c) => c.params.RoleArn).sort();
    assert.deepEqual(sts, [TEST_ROLE_ARN, SECOND_ROLE_ARN].sort(), 'both roles were assumed at sign-in');
  });

  it('asks which role when several may use the cluster, and issues with the one named', async () => {
    await signedIn(h, twoRoles);
    await assertJsonError(await h.client.postJson('/api/credentials', { cluster: 'analytics' }), 400, 'ROLE_REQUIRED');
    const res = await h.client.postJson('/api/credentials', { cluster: 'analytics', role: SECOND_ROLE_ARN });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as IssuedLogin).dbUser, 'IAM:alice');
  });

  it('lists a role STS refused with its reason and still issues with the other', async () => {
    h.emulator.failNext('AssumeRoleWithSAML', { code: 'AccessDenied', message: 'Not authorized', status: 403 });
    await signedIn(h, twoRoles);
    const denied = h.emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML' && c.errorCode === 'AccessDenied');
    assert.equal(denied.length, 1);
    const refusedArn = denied[0]?.params.RoleArn;
    const workingArn = refusedArn === TEST_ROLE_ARN ? SECOND_ROLE_ARN : TEST_ROLE_ARN;

    const me = (await (await h.client.get('/api/me', { accept: 'application/json' })).json()) as { roles: Array<{ roleArn: string; status: string; error?: { code: string; message: string } }> };
    const refused = me.roles.find((r) => r.roleArn === refusedArn);
    const working = me.roles.find((r) => r.roleArn === workingArn);
    assert.equal(refused?.status, 'refused');
    assert.equal(refused?.error?.code, 'AWS_ACCESS_DENIED');
    assert.ok(refused?.error?.message.includes(refusedArn as string), 'the reason names the role');
    assert.equal(working?.status, 'ready');

    const res = await h.client.postJson('/api/credentials', { cluster: 'analytics' });
    assert.equal(res.status, 200, 'the only ready role is used without naming it');
    const mark = h.emulator.calls.length;
    const again = await h.client.postJson('/api/credentials', { cluster: 'analytics', role: refusedArn });
    assert.ok(again.status === 401 || again.status === 403, `the refused role gets no credentials (${again.status})`);
    assertNoStackTrace(await again.text());
    assert.deepEqual(actions(h, mark), [], 'Redshift is not asked for the refused role');
  });

  it('refuses the sign-in when STS refuses every role', async () => {
    h.emulator.failNext('AssumeRoleWithSAML', { code: 'AccessDenied', message: 'Not authorized', status: 403 });
    h.emulator.failNext('AssumeRoleWithSAML', { code: 'AccessDenied', message: 'Not authorized', status: 403 });
    const res = await h.postAcs(await h.validResponse(twoRoles), { json: true });
    const error = await assertJsonError(res, 403, 'AWS_ACCESS_DENIED');
    assert.ok(error.message.includes(TEST_ROLE_ARN) && error.message.includes(SECOND_ROLE_ARN), 'names both roles');
    assert.equal(h.client.cookie(SESSION_COOKIE), undefined, 'no session');
  });
});

describe('the credentials page (post, redirect, get)', () => {
  let h: AppHarness;
  let offsetMs = 0;
  beforeEach(async () => {
    offsetMs = 0;
    h = await startAppHarness({ now: () => new Date(Date.now() + offsetMs) });
    await signedIn(h);
  });
  afterEach(async () => {
    await h.close();
  });

  async function issueOnPage(): Promise<string> {
    const fields = formFields(await (await h.client.get('/')).text(), '/credentials');
    assert.equal((await h.client.postForm('/credentials', fields)).status, 303);
    return (await h.client.get('/credentials')).text();
  }

  it('shows the same login on reload: no second password is issued', async () => {
    const mark = h.emulator.calls.length;
    const first = await issueOnPage();
    const again = await (await h.client.get('/credentials')).text();
    assert.equal(elementText(again, 'db-password'), elementText(first, 'db-password'));
    assert.deepEqual(actions(h, mark).filter((a) => a === 'GetClusterCredentials'), ['GetClusterCredentials']);
  });

  it('shows the expiry in local time and UTC, the new formats, help per client, and where to get TLS right', async () => {
    const html = await issueOnPage();
    assert.match(html, /<time class="local" datetime="\d{4}-\d\d-\d\dT[^"]+Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time> <span class="utc">\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)<\/span>/);
    for (const id of ['conn-env', 'conn-dbt', 'conn-sqlalchemy']) assert.ok(elementText(html, id), id);
    for (const client of ['DBeaver', 'DataGrip', 'Power BI Desktop', 'Tableau']) assert.match(html, new RegExp(`<summary>${client}</summary>`));
    assert.match(elementText(html, 'tls-help') ?? '', /sslrootcert=system/);
  });

  it('says "expired" once the password has expired, shows no secret, and forgets it', async () => {
    const first = await issueOnPage();
    const password = elementText(first, 'db-password') ?? '';
    offsetMs = 16 * 60_000;
    const expired = await (await h.client.get('/credentials')).text();
    assert.match(expired, /This password expired at/);
    assert.ok(!expired.includes(password), 'the expired password is not shown');
    assert.match(expired, /Renew: issue a fresh password/);
    const afterwards = await h.client.get('/credentials');
    assert.equal(afterwards.status, 303, 'the sealed login left the session');
  });

  it('sends a visit with nothing issued back to the chooser', async () => {
    const res = await h.client.get('/credentials');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');
  });
});

describe('the credentials page of a cluster with its own CA bundle', () => {
  it('offers the bundle and names the path the person saved it at in every string, for this and later logins', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const h = await startAppHarness({ clusters: [{ id: 'analytics', name: 'Analytics', clusterIdentifier: TEST_CLUSTER_IDENTIFIER, caBundle: pem, roles: [TEST_ROLE_ARN] }] });
    try {
      await signedIn(h);
      const fields = formFields(await (await h.client.get('/')).text(), '/credentials');
      assert.equal((await h.client.postForm('/credentials', fields)).status, 303);
      const first = await (await h.client.get('/credentials')).text();
      assert.match(first, /href="\/ca\/analytics.pem" download/);
      assert.equal(new URL(elementText(first, 'conn-uri') ?? '').searchParams.get('sslrootcert'), 'redshift-sso-analytics-ca.pem');
      const password = elementText(first, 'db-password');

      const csrf = formFields(first, '/credentials/ca-file')._csrf ?? '';
      assert.equal((await h.client.postForm('/credentials/ca-file', { _csrf: csrf, caFile: 'relative.pem' }, { accept: 'application/json' })).status, 400);
      assert.equal((await h.client.postForm('/credentials/ca-file', { _csrf: csrf, caFile: '/home/alice/Downloads/ca bundle.pem' })).status, 303);
      const updated = await (await h.client.get('/credentials')).text();
      assert.equal(elementText(updated, 'db-password'), password, 'the same login, no new password');
      assert.equal(new URL(elementText(updated, 'conn-uri') ?? '').searchParams.get('sslrootcert'), '/home/alice/Downloads/ca bundle.pem');
      assert.match(elementText(updated, 'conn-env') ?? '', /PGSSLROOTCERT='\/home\/alice\/Downloads\/ca bundle.pem'/);

      assert.equal((await h.client.postForm('/credentials', fields)).status, 303);
      const renewed = await (await h.client.get('/credentials')).text();
      assert.notEqual(elementText(renewed, 'db-password'), password);
      assert.match(elementText(renewed, 'conn-keywords') ?? '', /sslrootcert='\/home\/alice\/Downloads\/ca bundle.pem'/, 'later logins keep the path');
    } finally {
      await h.close();
    }
  });
});
