// The production command as the image runs it: `npm run build`, then `node dist/main.js` with
// NODE_ENV=production, a configuration file, and AWS reached through AWS_ENDPOINT_URL_*. Every page
// kind renders from the compiled build, metrics answer on their own listener only, and SIGTERM
// drains: a credentials request in flight completes while /readyz already answers 503, and the
// process exits 0.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { HttpFlow } from '../support/http-flow.ts';
import { fixtureIdp, freePort, ServiceHome, type SpawnedService } from '../support/spawn-service.ts';
import { TEST_IDP_ISSUER } from '../support/sign-response.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** GET on a connection of its own (no keep-alive pool), as a load balancer's probe would. */
function probe(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the compiled service (npm run build, node dist/main.js)', () => {
  let emulator: AwsEmulator;
  let home: ServiceHome;
  let service: SpawnedService;
  let baseUrl: string;
  let metricsUrl: string;

  before(async () => {
    await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, maxBuffer: 10 * 1024 * 1024 });
    assert.ok(existsSync(join(ROOT, 'dist', 'main.js')), 'npm run build writes dist/main.js');
    home = ServiceHome.create('compiled');
    emulator = await fixtureIdp.emulator();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const idp = (id: string, name: string, entityId: string) =>
      fixtureIdp.entry({ id, name, entityId, ssoUrl: `https://idp.test.example/sso/${id}` });
    service = await home.spawn({
      compiled: true,
      config: (url) => ({
        server: {
          baseUrl: url,
          sessionSecret: 'an-operator-chosen-secret-of-sufficient-length',
          shutdownTimeoutSeconds: 60,
        },
        metrics: { port: metricsPort },
        idps: [
          idp('corp', 'Corp SSO', TEST_IDP_ISSUER),
          idp('partner', 'Partner SSO', 'https://partner.test.example/idp'),
        ],
        clusters: [fixtureIdp.cluster()],
        store: { url: home.sqliteUrl() },
      }),
      awsEmulator: emulator.url,
      env: { REDSHIFT_SSO_HOST: '127.0.0.1' },
    });
    baseUrl = service.baseUrl;
  });

  after(async () => {
    await home?.close();
    await emulator?.close();
  });

  it('renders every page kind from the views beside dist/', async () => {
    const pages: Array<[path: string, status: number, marker: string]> = [
      ['/', 200, 'Sign in to Amazon Redshift'],
      ['/login', 200, 'Partner SSO'],
      ['/no-such-page', 404, 'NOT_FOUND'],
      ['/admin/setup', 200, 'Set up redshift-sso'],
      ['/static/app.css', 200, '{'],
      ['/healthz', 200, '"ok"'],
      ['/readyz', 200, '"ready"'],
    ];
    for (const [path, status, marker] of pages) {
      const res = await probe(`${baseUrl}${path}`);
      assert.equal(res.status, status, `${path}: ${res.body.slice(0, 200)}`);
      assert.ok(res.body.includes(marker), `${path} shows ${marker}`);
      if (res.headers['content-type']?.startsWith('text/html'))
        assert.match(res.body, /<html/i, `${path} is a rendered page`);
    }
    assert.equal((await probe(`${baseUrl}/metrics`)).status, 404, 'no metrics on the public port without a token');
    const metrics = await probe(metricsUrl);
    assert.equal(metrics.status, 200);
    assert.match(
      metrics.body,
      /redshift_sso_http_request_duration_seconds_count\{method="GET",route="\/login",status="200"\} 1/,
    );
    assert.match(metrics.body, /^nodejs_eventloop_lag_seconds /m);
    assert.ok(!/DEMO|demo mode/i.test(service.output()), 'no demo code ran');
  });

  it('drains on SIGTERM: the credentials request in flight completes, /readyz answers 503, exit 0', async () => {
    const flow = new HttpFlow(baseUrl);
    const acs = await flow.signInWithSignedResponse('corp');
    assert.equal(acs.status, 303, await acs.clone().text());

    const held = emulator.holdNext('GetClusterCredentials');
    const credentials = flow.postJson('/api/credentials', { cluster: 'warehouse' });
    await held.reached;
    service.signal('SIGTERM');

    // Until the process has handled the signal /readyz still says ready; the held request keeps
    // the drain (and so the listener) open meanwhile.
    let readiness = await probe(`${baseUrl}/readyz`);
    for (let i = 0; i < 500 && readiness.status === 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      readiness = await probe(`${baseUrl}/readyz`);
    }
    assert.equal(readiness.status, 503);
    assert.equal(JSON.parse(readiness.body).status, 'draining');
    assert.equal(readiness.headers.connection, 'close', 'no connection is kept while draining');

    held.release();
    const res = await credentials;
    assert.equal(res.status, 200);
    const body = (await res.json()) as { dbUser: string; dbPassword: string };
    assert.equal(body.dbUser, 'IAM:alice');
    assert.equal(typeof body.dbPassword, 'string');

    assert.equal(await service.exited, 0);
    assert.match(service.output(), /"msg":"draining"/);
    assert.match(service.output(), /"result":"drained","msg":"stopped"/);
    await assert.rejects(probe(`${baseUrl}/healthz`), /ECONNREFUSED/);
  });
});
