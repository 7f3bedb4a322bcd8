// Every answer that shows a secret or a signed-in person's data is `Cache-Control: no-store`:
// the choosers, the credentials page, both JSON endpoints, and their error answers.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, TEST_CLUSTER_ID, type AppHarness } from '../support/app-harness.ts';
import { TEST_ROLE_ARN } from '../support/sign-response.ts';

describe('Cache-Control: no-store on signed-in pages and the API', () => {
  let h: AppHarness;
  before(async () => {
    h = await startAppHarness();
    assert.equal((await h.signIn()).status, 303);
  });
  after(() => h.close());

  const noStore = (res: Response, what: string) => assert.equal(res.headers.get('cache-control'), 'no-store', what);

  it('marks the cluster chooser and the credentials page', async () => {
    const chooser = await h.client.get('/', { accept: 'text/html' });
    assert.equal(chooser.status, 200);
    noStore(chooser, 'GET / signed in');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await chooser.text())?.[1] ?? '';
    // Post, redirect, get: the issued login is kept sealed in the session and shown by the GET.
    const posted = await h.client.postForm('/credentials', {
      _csrf: csrf,
      role: TEST_ROLE_ARN,
      cluster: TEST_CLUSTER_ID,
    });
    assert.equal(posted.status, 303);
    noStore(posted, 'POST /credentials');
    const page = await h.client.get(posted.headers.get('location') ?? '', { accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /IAM:alice/);
    noStore(page, 'GET /credentials');
    const refused = await h.client.postForm('/credentials', { _csrf: csrf, role: TEST_ROLE_ARN, cluster: 'nope' });
    assert.equal(refused.status, 404);
    noStore(refused, 'POST /credentials refused');
  });

  it('marks GET /api/me and POST /api/credentials, answered or refused', async () => {
    noStore(await h.client.get('/api/me'), 'GET /api/me');
    const issued = await h.client.postJson('/api/credentials', { cluster: TEST_CLUSTER_ID });
    assert.equal(issued.status, 200);
    noStore(issued, 'POST /api/credentials');
    const refused = await h.client.postJson('/api/credentials', { cluster: 'nope' });
    assert.equal(refused.status, 404);
    noStore(refused, 'POST /api/credentials refused');
    noStore(await h.newClient().get('/api/me'), 'GET /api/me without a session');
  });
});
