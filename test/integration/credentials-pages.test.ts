// The browser pages that issue database logins after sign-in (cluster and role choosers, the
// credentials page and its CA bundle), with the real AWS SDK against the emulator.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import {
  harnessForEachTest,
  startAppHarness,
  rolePair,
  SECOND_ROLE_ARN,
  SESSION_COOKIE,
  TEST_CLUSTER_HOST,
  TEST_CLUSTER_IDENTIFIER,
  type AppHarness,
} from '../support/app-harness.ts';
import { startCaBundleHarness } from '../support/ca-bundle.ts';
import type { CookieClient } from '../support/cookie-client.ts';
import { assertJsonError, assertNoStackTrace } from '../support/app-assertions.ts';
import { actions, formFields, signedIn, type IssuedLogin } from '../support/credentials-flow.ts';
import { elementText } from '../support/http-flow.ts';
import { AWS_ROLE, TEST_ROLE_ARN } from '../support/sign-response.ts';

describe('browser pages after sign-in', () => {
  let h: AppHarness;
  harnessForEachTest(async () => (h = await startAppHarness()));

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
    await assertJsonError(
      await h.client.postForm('/credentials', rest, { accept: 'application/json' }),
      403,
      'CSRF_TOKEN_INVALID',
    );
    await assertJsonError(
      await h.client.postForm('/credentials', { ...rest, _csrf: 'x'.repeat(32) }, { accept: 'application/json' }),
      403,
      'CSRF_TOKEN_INVALID',
    );
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
    await assertJsonError(
      await h.client.postForm('/logout', {}, { accept: 'application/json' }),
      403,
      'CSRF_TOKEN_INVALID',
    );
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
  harnessForEachTest(
    async () =>
      (h = await startAppHarness({
        clusters: [
          {
            id: 'analytics',
            name: 'Analytics',
            clusterIdentifier: TEST_CLUSTER_IDENTIFIER,
            roles: [TEST_ROLE_ARN, SECOND_ROLE_ARN],
          },
        ],
      })),
  );

  it('shows the role chooser listing both roles', async () => {
    await signedIn(h, twoRoles);
    const page = await h.client.get('/');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Choose a role/);
    assert.ok(html.includes(TEST_ROLE_ARN));
    assert.ok(html.includes(SECOND_ROLE_ARN));
    assert.ok(html.includes(`href="/?role=${encodeURIComponent(SECOND_ROLE_ARN)}"`), 'each ready role is a choice');
    const sts = h.emulator.calls
      .filter((c) => c.action === 'AssumeRoleWithSAML')
      .map((c) => c.params.RoleArn)
      .sort();
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

    const me = (await (await h.client.get('/api/me', { accept: 'application/json' })).json()) as {
      roles: Array<{ roleArn: string; status: string; error?: { code: string; message: string } }>;
    };
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
    assert.deepEqual(
      actions(h, mark).filter((a) => a === 'GetClusterCredentials'),
      ['GetClusterCredentials'],
    );
  });

  it('shows the expiry in local time and UTC, the new formats, help per client, and where to get TLS right', async () => {
    const html = await issueOnPage();
    assert.match(
      html,
      /<time class="local" datetime="\d{4}-\d\d-\d\dT[^"]+Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time> <span class="utc">\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)<\/span>/,
    );
    for (const id of ['conn-env', 'conn-dbt', 'conn-sqlalchemy']) assert.ok(elementText(html, id), id);
    for (const client of ['DBeaver', 'DataGrip', 'Power BI Desktop', 'Tableau'])
      assert.match(html, new RegExp(`<summary>${client}</summary>`));
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
    const h = await startCaBundleHarness();
    try {
      await signedIn(h);
      const fields = formFields(await (await h.client.get('/')).text(), '/credentials');
      assert.equal((await h.client.postForm('/credentials', fields)).status, 303);
      const first = await (await h.client.get('/credentials')).text();
      assert.match(first, /href="\/ca\/analytics.pem" download/);
      assert.equal(
        new URL(elementText(first, 'conn-uri') ?? '').searchParams.get('sslrootcert'),
        'redshift-sso-analytics-ca.pem',
      );
      const password = elementText(first, 'db-password');

      const csrf = formFields(first, '/credentials/ca-file')._csrf ?? '';
      assert.equal(
        (
          await h.client.postForm(
            '/credentials/ca-file',
            { _csrf: csrf, caFile: 'relative.pem' },
            { accept: 'application/json' },
          )
        ).status,
        400,
      );
      assert.equal(
        (
          await h.client.postForm('/credentials/ca-file', {
            _csrf: csrf,
            caFile: '/home/alice/Downloads/ca bundle.pem',
          })
        ).status,
        303,
      );
      const updated = await (await h.client.get('/credentials')).text();
      assert.equal(elementText(updated, 'db-password'), password, 'the same login, no new password');
      assert.equal(
        new URL(elementText(updated, 'conn-uri') ?? '').searchParams.get('sslrootcert'),
        '/home/alice/Downloads/ca bundle.pem',
      );
      assert.match(elementText(updated, 'conn-env') ?? '', /PGSSLROOTCERT='\/home\/alice\/Downloads\/ca bundle.pem'/);

      assert.equal((await h.client.postForm('/credentials', fields)).status, 303);
      const renewed = await (await h.client.get('/credentials')).text();
      assert.notEqual(elementText(renewed, 'db-password'), password);
      assert.match(
        elementText(renewed, 'conn-keywords') ?? '',
        /sslrootcert='\/home\/alice\/Downloads\/ca bundle.pem'/,
        'later logins keep the path',
      );
    } finally {
      await h.close();
    }
  });
});
