// The service as an operator runs it: a configuration file naming an external IdP by certificate,
// AWS endpoints from the SDK's AWS_ENDPOINT_URL_* variables, NODE_ENV=production, no demo code.
// An IdP-signed response posted to the ACS leads, through POST /api/credentials, to credentials
// returned by that AWS endpoint.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { HttpFlow } from '../support/http-flow.ts';
import { spawnService, freePort, type SpawnedService, productionEnvWithEmulator } from '../support/spawn-service.ts';
import {
  aSamlResponse,
  fixtureKeys,
  TEST_IDP_ISSUER,
  TEST_PRINCIPAL_ARN,
  TEST_ROLE_ARN,
} from '../support/sign-response.ts';
import { testSessionSecret } from '../support/test-secret.ts';

const IDP_CERT_PATH = fileURLToPath(new URL('../fixtures/certs/idp.crt', import.meta.url));

describe('configured service (no demo code)', () => {
  let emulator: AwsEmulator;
  let service: SpawnedService;
  let dir: string;
  let baseUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshift-sso-configured-'));
    emulator = await startAwsEmulator({
      samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate] }],
      clusters: [{ clusterIdentifier: 'prod-warehouse', host: 'warehouse.example.internal', port: 5439 }],
    });
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const configPath = join(dir, 'redshift-sso.yml');
    writeFileSync(
      configPath,
      [
        'server:',
        `  baseUrl: ${baseUrl}`,
        `  sessionSecret: "${testSessionSecret()}"`,
        'idps:',
        '  - id: corp',
        '    name: Corp SSO',
        `    entityId: ${TEST_IDP_ISSUER}`,
        '    ssoUrl: https://idp.test.example/sso',
        `    certs: [${IDP_CERT_PATH}]`,
        'clusters:',
        '  - id: warehouse',
        '    clusterIdentifier: prod-warehouse',
        '    region: eu-west-1',
        '    database: analytics',
        `    roles: ["${TEST_ROLE_ARN}"]`,
        'store:',
        `  url: sqlite:${join(dir, 'store.db')}`,
        '',
      ].join('\n'),
    );
    service = await spawnService({
      REDSHIFT_SSO_CONFIG: configPath,
      REDSHIFT_SSO_BASE_URL: baseUrl,
      PORT: String(port),
      ...productionEnvWithEmulator(emulator.url),
    });
  });

  after(async () => {
    await service?.stop();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns an IdP-signed response into credentials from the configured AWS endpoint', async () => {
    const flow = new HttpFlow(baseUrl);
    const start = await flow.get('/login/corp');
    assert.equal(start.status, 302);
    const location = new URL(start.headers.get('location') ?? '');
    assert.equal(location.origin + location.pathname, 'https://idp.test.example/sso');
    const request = inflateRawSync(Buffer.from(location.searchParams.get('SAMLRequest') ?? '', 'base64')).toString(
      'utf8',
    );
    const requestId = /\bID="([^"]+)"/.exec(request)?.[1] ?? '';
    assert.ok(requestId.length > 10);

    const acsUrl = `${baseUrl}/saml/acs/corp`;
    const samlResponse = aSamlResponse({ destination: acsUrl, recipient: acsUrl, inResponseTo: requestId });
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
