// The demo as a person runs it: the service started like `npm start` (no configuration), alice
// signs in through the built-in IdP, and the libpq URI on the credentials page really logs in to a
// password-checking PostgreSQL with psql until the password expires.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HttpFlow, elementText, hiddenFields } from '../support/http-flow.ts';
import { ServiceHome, type SpawnedService } from '../support/spawn-service.ts';

const run = promisify(execFile);
const DB_SECONDS = 6;

async function psql(uri: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout } = await run('psql', [uri, '-Atc', 'select current_user'], {
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
    });
    return { ok: true, out: stdout.trim() };
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('psql is not installed: install the postgresql-client package (.ci/run does)');
    return { ok: false, out: e.stderr ?? '' };
  }
}

describe('demo mode end to end', () => {
  let service: SpawnedService;
  let home: ServiceHome;
  const secrets: string[] = [];

  before(async () => {
    home = ServiceHome.create('e2e');
    // As `npm start`: no REDSHIFT_SSO_CONFIG (nor any other setting) at all; the demo's own store in a temp dir.
    service = await home.spawn({ demo: true, env: { DEMO_DB_DURATION_SECONDS: String(DB_SECONDS) } });
  });

  after(() => home?.close());

  it('alice signs in and her libpq URI logs in with psql until it expires', async () => {
    const flow = new HttpFlow(service.baseUrl);
    const { action, fields } = await flow.demoIdpResponse('demo', 'alice');
    secrets.push(fields.SAMLResponse ?? '');
    const acs = await flow.postForm(new URL(action).pathname, fields);
    assert.equal(acs.status, 303);

    const home = await flow.get('/');
    const form = hiddenFields(await home.text());
    assert.equal(form.cluster, 'demo', 'alice has one role and one cluster: the cluster form is shown');
    const posted = await flow.postForm('/credentials', {
      _csrf: form._csrf ?? '',
      role: form.role ?? '',
      cluster: 'demo',
    });
    assert.equal(posted.status, 303);
    const page = await flow.get('/credentials');
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    const html = await page.text();
    const uri = elementText(html, 'conn-uri') ?? '';
    const password = elementText(html, 'db-password') ?? '';
    secrets.push(password);
    assert.match(uri, /^postgresql:\/\/IAM%3Aalice:/);

    const first = await psql(uri);
    assert.deepEqual(first, { ok: true, out: 'IAM:alice' });

    const wrong = await psql(uri.replace(/:[^:@/]+@/, ':wrong-password@'));
    assert.equal(wrong.ok, false, 'the database really checks the password');

    await new Promise((resolve) => setTimeout(resolve, (DB_SECONDS + 1.5) * 1000));
    const expired = await psql(uri);
    assert.equal(expired.ok, false, 'the same password is refused after it expires');
    assert.match(expired.out, /password authentication failed/);
  });

  it('bob gets the role chooser, picks the admin role, and reaches the serverless workgroup', async () => {
    const flow = new HttpFlow(service.baseUrl);
    const acs = await flow.signInWithDemoIdp('demo', 'bob');
    assert.equal(acs.status, 303);
    const chooser = await (await flow.get('/')).text();
    assert.match(chooser, /Choose a role/);
    assert.match(chooser, /RedshiftAnalyst/);
    assert.match(chooser, /RedshiftAdmin/);

    const clusters = await (
      await flow.get(`/?role=${encodeURIComponent('arn:aws:iam::123456789012:role/RedshiftAdmin')}`)
    ).text();
    assert.match(clusters, /Demo serverless workgroup/);
    const res = await flow.postJson('/api/credentials', {
      cluster: 'demo-serverless',
      role: 'arn:aws:iam::123456789012:role/RedshiftAdmin',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { dbUser: string; dbPassword: string; connectionStrings: { uri: string } };
    secrets.push(body.dbPassword);
    assert.equal(body.dbUser, 'IAMR:RedshiftAdmin');
    assert.deepEqual(await psql(body.connectionStrings.uri), { ok: true, out: 'IAMR:RedshiftAdmin' });
  });

  it('never writes a password or SAMLResponse to its output', async () => {
    await service.stop();
    const output = service.output();
    assert.ok(output.includes('issued db login'), 'the run did log the issued logins');
    for (const secret of secrets.filter((s) => s.length > 0)) {
      assert.ok(!output.includes(secret), 'a secret appeared in the log output');
      if (secret.length > 200) {
        for (let i = 0; i + 80 < secret.length; i += 997)
          assert.ok(!output.includes(secret.slice(i, i + 80)), 'part of a SAMLResponse appeared in the log');
      }
    }
  });
});
