// The service as an operator runs it: a configuration file naming an external IdP by certificate,
// AWS endpoints from the SDK's AWS_ENDPOINT_URL_* variables, NODE_ENV=production, no demo code.
// An IdP-signed response posted to the ACS leads, through POST /api/credentials, to credentials
// returned by that AWS endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { authnRequestIdOf, HttpFlow, signedResponseTo } from '../support/http-flow.ts';
import { fixtureIdp, ServiceHome, type SpawnedService } from '../support/spawn-service.ts';
import { testSessionSecret } from '../support/test-secret.ts';

describe('configured service (no demo code)', () => {
  let emulator: AwsEmulator;
  let home: ServiceHome;
  let service: SpawnedService;
  let baseUrl: string;

  before(async () => {
    home = ServiceHome.create('configured');
    emulator = await fixtureIdp.emulator();
    service = await home.spawn({
      config: (url) => ({
        server: { baseUrl: url, sessionSecret: testSessionSecret() },
        idps: [fixtureIdp.entry()],
        clusters: [fixtureIdp.cluster()],
        store: { url: home.sqliteUrl() },
      }),
      awsEmulator: emulator.url,
    });
    baseUrl = service.baseUrl;
  });

  after(async () => {
    await home?.close();
    await emulator?.close();
  });

  it('turns an IdP-signed response into credentials from the configured AWS endpoint', async () => {
    const flow = new HttpFlow(baseUrl);
    const start = await flow.get('/login/corp');
    assert.equal(start.status, 302);
    const location = new URL(start.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, 'https://idp.test.example/sso');
    const requestId = authnRequestIdOf(location.href);
    assert.ok(requestId.length > 10);

    const samlResponse = signedResponseTo(baseUrl, 'corp', { inResponseTo: requestId });
    const acs = await flow.postForm('/saml/acs/corp', { SAMLResponse: samlResponse, RelayState: '/' });
    assert.equal(acs.status, 303, await acs.clone().text());

    const res = await flow.postJson('/api/credentials', { cluster: 'warehouse' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.dbUser, 'IAM:alice');
    assert.equal(body.host, 'warehouse.example.internal');
    assert.equal(body.port, 5439);
    assert.equal(body.database, 'analytics');
    assert.equal(typeof body.dbPassword, 'string');

    const actions = emulator.calls.map((c) => `${c.action}:${c.ok}`);
    assert.deepEqual(actions, ['AssumeRoleWithSAML:true', 'GetClusterCredentials:true', 'DescribeClusters:true']);
    const gcc = emulator.calls[1];
    assert.equal(gcc?.params.DbUser, 'alice');
    assert.equal(gcc?.params.ClusterIdentifier, 'prod-warehouse');

    const output = service.output();
    assert.ok(!/DEMO|demo mode/i.test(output), 'no demo code ran');
    assert.ok(!output.includes(String(body.dbPassword)), 'the password never reaches the log');
    assert.ok(!output.includes(samlResponse.slice(100, 180)), 'the SAMLResponse never reaches the log');
    assert.equal((await flow.get('/dev/idp/sso')).status, 404, 'the demo IdP is not mounted');
  });
});
