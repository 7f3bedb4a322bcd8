// Prometheus metrics: never public (404 on the main port without configuration), behind a bearer
// token on the main port, or on a separate listener; and the metrics a sign-in, a refusal and an
// issued credential leave behind, with labels from bounded sets only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAppHarness, TEST_CLUSTER_ID, type AppHarness } from '../support/app-harness.ts';
import { aSamlResponse } from '../support/sign-response.ts';
import { startMetricsListener } from '../../src/web/metrics-listener.ts';

const TOKEN = 'scrape-token-0123456789abcdef';

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((w) => have.includes(w))) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics on the main port', () => {
  it('does not exist without metrics configuration', async () => {
    const h = await startAppHarness();
    try {
      const res = await h.client.get('/metrics', { accept: 'application/json' });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    } finally {
      await h.close();
    }
  });

  describe('with metrics.token', () => {
    let h: AppHarness;
    before(async () => {
      h = await startAppHarness({ config: { metrics: { token: TOKEN } } });
    });
    after(() => h.close());

    it('answers 401 without the token or with a wrong one', async () => {
      const attempts: Array<Record<string, string>> = [
        {},
        { authorization: `Bearer ${TOKEN}x` },
        { authorization: `Basic ${TOKEN}` },
        { authorization: 'Bearer ' },
      ];
      for (const headers of attempts) {
        const res = await h.newClient().get('/metrics', { accept: 'application/json', ...headers });
        assert.equal(res.status, 401, JSON.stringify(headers));
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"');
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'METRICS_TOKEN_INVALID');
      }
    });

    it('counts sign-ins, refusals, AWS calls, issued credentials and requests by route', async () => {
      assert.equal((await h.signIn()).status, 303);
      const refused = await h.postAcs(
        aSamlResponse({ destination: h.acsUrl, recipient: h.acsUrl, audiences: ['urn:somebody-else'] }),
        { json: true },
      );
      const refusalCode = ((await refused.json()) as { error: { code: string } }).error.code;
      assert.equal(refused.status, 401);
      await h.newClient().postForm('/saml/acs/attacker-chosen-idp', { SAMLResponse: 'x' });
      assert.equal((await h.client.postJson('/api/credentials', { cluster: TEST_CLUSTER_ID })).status, 200);
      h.emulator.failNext('GetClusterCredentials', { code: 'AccessDenied', message: 'not authorized', status: 403 });
      assert.equal((await h.client.postJson('/api/credentials', { cluster: TEST_CLUSTER_ID })).status, 403);
      await h.client.get('/no-such-page-4711');

      const res = await h.newClient().get('/metrics', { authorization: `Bearer ${TOKEN}` });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain;.*version=0\.0\.4/);
      const text = await res.text();
      assert.equal(sample(text, 'redshift_sso_logins_total', { idp: 'test', outcome: 'ok' }), 1);
      assert.equal(sample(text, 'redshift_sso_logins_total', { idp: 'test', outcome: 'refused' }), 1);
      assert.equal(
        sample(text, 'redshift_sso_logins_total', { idp: 'other', outcome: 'refused' }),
        1,
        'an unknown IdP id is not a label value',
      );
      assert.equal(sample(text, 'redshift_sso_saml_refusals_total', { code: refusalCode }), 1);
      assert.equal(sample(text, 'redshift_sso_db_logins_total', { cluster: TEST_CLUSTER_ID }), 1);
      for (const [api, outcome] of [
        ['AssumeRoleWithSAML', 'ok'],
        ['GetClusterCredentials', 'ok'],
        ['GetClusterCredentials', 'AWS_ACCESS_DENIED'],
      ] as const)
        assert.equal(
          sample(text, 'redshift_sso_aws_call_duration_seconds_count', { api, outcome }),
          1,
          `${api} ${outcome}`,
        );
      assert.ok(
        sample(text, 'redshift_sso_aws_call_duration_seconds_bucket', {
          api: 'AssumeRoleWithSAML',
          outcome: 'ok',
          le: '+Inf',
        }) === 1,
      );
      for (const [method, route, status] of [
        ['POST', '/saml/acs/:idp', '303'],
        ['POST', '/api/credentials', '200'],
        ['GET', '(unmatched)', '404'],
      ] as const) {
        const labels = { method, route, status };
        assert.equal(
          sample(text, 'redshift_sso_http_request_duration_seconds_count', labels),
          1,
          JSON.stringify(labels),
        );
      }
      assert.ok(
        !text.includes('no-such-page-4711') && !text.includes('attacker-chosen-idp'),
        'raw paths never become label values',
      );
      for (const name of [
        'nodejs_eventloop_lag_seconds',
        'nodejs_eventloop_lag_p99_seconds',
        'process_resident_memory_bytes',
        'process_cpu_seconds_total',
        'nodejs_heap_size_used_bytes',
      ]) {
        assert.match(text, new RegExp(`^${name} `, 'm'), name);
      }
    });

    it('reports the validation threads of the process and the responses waiting for one', async () => {
      assert.equal((await h.signIn()).status, 303, 'one more sign-in (the pool has started)');
      const text = await (await h.newClient().get('/metrics', { authorization: `Bearer ${TOKEN}` })).text();
      assert.equal(sample(text, 'redshift_sso_validation_threads', {}), 1);
      assert.equal(sample(text, 'redshift_sso_validation_queue_length', {}), 0);
    });

    it('keeps each app to its own registry', async () => {
      const other = await startAppHarness({ config: { metrics: { token: TOKEN } } });
      try {
        const text = await (await other.client.get('/metrics', { authorization: `Bearer ${TOKEN}` })).text();
        assert.equal(sample(text, 'redshift_sso_logins_total', { idp: 'test', outcome: 'ok' }), undefined);
      } finally {
        await other.close();
      }
    });
  });
});

describe('the separate metrics listener', () => {
  it('serves GET /metrics without a token and nothing else', async () => {
    const h = await startAppHarness({ config: { metrics: { port: 0 } } });
    const listener = await startMetricsListener(h.service.metrics, { host: '127.0.0.1', port: 0 });
    try {
      assert.equal((await h.signIn()).status, 303);
      const res = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.equal(sample(text, 'redshift_sso_logins_total', { idp: 'test', outcome: 'ok' }), 1);
      assert.match(text, /^process_resident_memory_bytes /m);
      assert.equal((await fetch(`http://127.0.0.1:${listener.port}/`)).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${listener.port}/metrics`, { method: 'POST' })).status, 404);
      assert.equal((await h.client.get('/metrics')).status, 404, 'the main port still has no /metrics');
    } finally {
      await listener.close();
      await h.close();
    }
  });
});
