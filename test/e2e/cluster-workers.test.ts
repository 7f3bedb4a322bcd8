// server.workers: 2 as an operator runs it (main.ts spawned with a configuration file, a SQLite store
// file, AWS through the emulator). Requests on several connections are served by both workers (each
// log line names its worker; X-Request-Id finds a response's line), the per-client rate limit counts
// across workers in the SQLite file, a killed worker is replaced while the service keeps answering,
// and SIGTERM to the primary drains every worker and exits 0.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { get } from 'node:http';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { HttpFlow } from '../support/http-flow.ts';
import {
  fixtureIdp,
  freePort,
  ServiceHome,
  type SpawnedService,
  WITHOUT_AMBIENT_AWS,
} from '../support/spawn-service.ts';
import { testSessionSecret } from '../support/test-secret.ts';

const SIGN_INS = 6;
const METRICS_TOKEN = 'cluster-metrics-token-0123456789';

function getOnNewConnection(
  url: string,
  cookie: string,
  extra: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers: { cookie, accept: 'application/json', ...extra } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: new Headers({ 'x-request-id': String(res.headers['x-request-id'] ?? '') }),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    }).on('error', reject);
  });
}

/** The value of one series of a Prometheus text exposition (labels in the order prom-client writes them). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

interface LogLine {
  msg?: string;
  signal?: string;
  worker?: number;
  pid?: number;
  req?: { id?: string; path?: string };
}

describe('server.workers: 2 (node:cluster)', () => {
  let emulator: AwsEmulator;
  let home: ServiceHome;
  let service: SpawnedService;
  let baseUrl: string;
  let metricsUrl: string;
  const flows: HttpFlow[] = [];

  const logLines = (): LogLine[] =>
    service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}'))
      .map((line) => JSON.parse(line) as LogLine);
  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 600 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(check(), `${what}:\n${service.output()}`);
  };
  /** The worker that answered each response, from its request log line (written once the response is sent). */
  const workersOf = async (responses: Array<{ headers: Headers }>): Promise<number[]> => {
    const ids = new Set(responses.map((res) => res.headers.get('x-request-id')));
    const lines = () => logLines().filter((line) => line.msg === 'request completed' && ids.has(line.req?.id ?? null));
    await until('every response has its log line', () => lines().length === ids.size);
    return lines().map((line) => line.worker ?? 0);
  };
  const listeningWorkers = () => logLines().filter((line) => line.msg === 'worker listening');

  before(async () => {
    home = ServiceHome.create('cluster');
    emulator = await fixtureIdp.emulator();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    service = await home.spawn({
      config: (url) => ({
        server: { baseUrl: url, sessionSecret: testSessionSecret(), workers: 2, rateLimit: { login: SIGN_INS } },
        metrics: { port: metricsPort, token: METRICS_TOKEN },
        idps: [fixtureIdp.entry({ name: undefined })],
        clusters: [fixtureIdp.cluster({ database: undefined })],
        store: { url: home.sqliteUrl() },
      }),
      awsEmulator: emulator.url,
      allWorkers: true,
    });
    baseUrl = service.baseUrl;
  });

  after(async () => {
    service?.signal('SIGKILL');
    await home?.close();
    await emulator?.close();
  });

  it('serves sign-ins and credentials from both workers on one store', async () => {
    // Concurrent flows open several connections; the primary deals connections to the workers in turn.
    const results = await Promise.all(
      Array.from({ length: SIGN_INS }, async () => {
        const flow = new HttpFlow(baseUrl);
        flows.push(flow);
        const acs = await flow.signInWithSignedResponse('corp');
        assert.equal(acs.status, 303, await acs.clone().text());
        const credentials = await flow.postJson('/api/credentials', { cluster: 'warehouse' });
        assert.equal(credentials.status, 200, await credentials.clone().text());
        assert.equal(((await credentials.json()) as { dbUser?: string }).dbUser, 'IAM:alice');
        return [acs, credentials];
      }),
    );
    const workers = await workersOf(results.flat());
    assert.deepEqual([...new Set(workers)].sort(), [1, 2], 'both workers answered');
    assert.equal(emulator.calls.filter((c) => c.action === 'AssumeRoleWithSAML' && c.ok).length, SIGN_INS);
  });

  it("sums both workers' metrics in one scrape, on the metrics listener and on the token route", async () => {
    // The six sign-ins were served by both workers (previous test); each worker counted only its share.
    const scraped = await fetch(metricsUrl);
    assert.equal(scraped.status, 200);
    const text = await scraped.text();
    assert.equal(sample(text, 'redshift_sso_logins_total{idp="corp",outcome="ok"}'), SIGN_INS, text);
    assert.equal(sample(text, 'redshift_sso_db_logins_total{cluster="warehouse"}'), SIGN_INS);
    assert.equal(
      sample(
        text,
        'redshift_sso_http_request_duration_seconds_count{method="POST",route="/saml/acs/:idp",status="303"}',
      ),
      SIGN_INS,
    );
    assert.equal(
      sample(
        text,
        'redshift_sso_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/saml/acs/:idp",status="303"}',
      ),
      SIGN_INS,
    );
    assert.equal(
      sample(text, 'redshift_sso_aws_call_duration_seconds_count{api="AssumeRoleWithSAML",outcome="ok"}'),
      SIGN_INS,
    );
    for (const worker of ['1', '2', 'primary']) {
      assert.ok(
        (sample(text, `process_resident_memory_bytes{worker="${worker}"}`) ?? 0) > 0,
        `process metrics of worker ${worker}`,
      );
    }
    assert.equal(
      text.match(/^process_resident_memory_bytes\{/gm)?.length,
      3,
      'one RSS series per process, none summed',
    );

    // The token route is answered by whichever worker got the connection (new connections are dealt
    // in turn, so both answer here): every one gives the sum.
    const viaToken = await Promise.all(
      [1, 2, 3, 4].map(() =>
        getOnNewConnection(`${baseUrl}/metrics`, '', { authorization: `Bearer ${METRICS_TOKEN}` }),
      ),
    );
    for (const res of viaToken) {
      assert.equal(res.status, 200, res.body);
      assert.equal(sample(res.body, 'redshift_sso_logins_total{idp="corp",outcome="ok"}'), SIGN_INS);
    }
    const refused = await getOnNewConnection(`${baseUrl}/metrics`, '', {
      authorization: 'Bearer wrong-token-wrong-token',
    });
    assert.equal(refused.status, 401);
  });

  it('counts the sign-in rate limit across workers in the SQLite file', async () => {
    // Each worker saw only part of the six sign-in starts; the seventh is over the shared budget.
    const refused = await Promise.all(
      [new HttpFlow(baseUrl), new HttpFlow(baseUrl)].map((flow) =>
        flow.get('/login/corp', { accept: 'application/json' }),
      ),
    );
    for (const res of refused) {
      assert.equal(res.status, 429);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    }
  });

  it('replaces a killed worker and keeps answering', async () => {
    const [first] = listeningWorkers();
    assert.ok(first?.pid !== undefined);
    process.kill(first.pid, 'SIGKILL');
    await until('a replacement worker listens', () => listeningWorkers().length === 3);
    assert.ok(logLines().some((line) => line.msg === 'worker exited' && line.signal === 'SIGKILL'));
    // A connection of its own per request, so the primary deals them to both live workers.
    const answers = await Promise.all(flows.map((flow) => getOnNewConnection(`${baseUrl}/api/me`, flow.header())));
    assert.deepEqual(
      answers.map((res) => res.status),
      flows.map(() => 200),
      'sessions live in the store, so every worker knows them',
    );
    assert.ok((await workersOf(answers)).includes(3), 'the replacement serves requests');
  });

  it('drains every worker on SIGTERM to the primary and exits 0', async () => {
    service.signal('SIGTERM');
    assert.equal(await service.exited, 0, service.output());
    assert.equal(
      logLines().filter((line) => line.msg === 'stopped' && line.worker !== undefined).length,
      2,
      'both workers drained',
    );
  });
});

describe('server.workers: 2 when the workers cannot start', () => {
  it('stops the primary with status 1 instead of restarting them', async () => {
    const home = ServiceHome.create('cluster');
    // A regular file where the store's directory should be: every worker fails to open the store.
    writeFileSync(home.path('not-a-dir'), '');
    try {
      const { status, output } = await home.runToExit(
        {
          server: { sessionSecret: testSessionSecret(), workers: 2 },
          store: { url: `sqlite:${home.path('not-a-dir/store.db')}` },
        },
        WITHOUT_AMBIENT_AWS,
      );
      assert.equal(status, 1, output);
      assert.match(output, /"msg":"stopping workers"/);
      assert.doesNotMatch(output, /replacing the worker/);
    } finally {
      await home.close();
    }
  });
});
