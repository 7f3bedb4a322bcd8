// The service (src/main.ts, real AWS SDK) behind a real forward proxy, tinyproxy on loopback, set
// through the usual HTTPS_PROXY / HTTP_PROXY / NO_PROXY variables: the IdP metadata fetch (https,
// a CONNECT tunnel) and every AWS call (the emulator is plain http, so absolute-form requests)
// appear in the proxy's log, one line per request the targets received; NO_PROXY sends them
// direct; and a metadata URL the SSRF guard refuses never reaches the proxy at all.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { csrfOf, signInWithSetupToken } from '../support/admin-forms.ts';
import { CookieClient } from '../support/cookie-client.ts';
import { generateCert, idpMetadataXml } from '../support/admin-certs.ts';
import { elementText, HttpFlow } from '../support/http-flow.ts';
import { fixtureKeys, TEST_IDP_ISSUER, TEST_ROLE_ARN } from '../support/sign-response.ts';
import { fixtureIdp, ServiceHome, type ServiceConfig, type SpawnedService } from '../support/spawn-service.ts';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy.ts';

const METADATA = idpMetadataXml(TEST_IDP_ISSUER, 'https://idp.test.example/sso', [
  { certificate: fixtureKeys.idp.certificate, use: 'signing' },
]);
const SECRET = 'an-operator-chosen-secret-of-sufficient-length';

describe('outbound proxy (tinyproxy on loopback)', () => {
  let proxy: Tinyproxy;
  let emulator: AwsEmulator;
  let tlsMetadata: Server;
  let plainMetadata: Server;
  let metadataHits = 0;
  let tlsPort: number;
  let plainPort: number;
  let home: ServiceHome;

  before(async () => {
    home = ServiceHome.create('proxy');
    proxy = await startTinyproxy();
    emulator = await fixtureIdp.emulator({
      workgroups: [{ workgroupName: 'lake-wg', host: 'lake-wg.example.internal', port: 5439 }],
    });
    // The metadata server's certificate is trusted by the service through NODE_EXTRA_CA_CERTS only.
    const tls = await generateCert('localhost', { tlsHost: true });
    writeFileSync(home.path('ca.pem'), tls.certificate);
    const serve = (req: { url?: string }, res: { statusCode: number; end(body?: string): void }) => {
      metadataHits += 1;
      if (req.url === '/metadata') res.end(METADATA);
      else {
        res.statusCode = 404;
        res.end();
      }
    };
    tlsMetadata = createHttpsServer({ key: tls.privateKey, cert: tls.certificate }, serve);
    plainMetadata = createHttpServer(serve);
    await Promise.all(
      [tlsMetadata, plainMetadata].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))),
    );
    tlsPort = (tlsMetadata.address() as AddressInfo).port;
    plainPort = (plainMetadata.address() as AddressInfo).port;
  });

  after(async () => {
    await home?.close();
    for (const server of [tlsMetadata, plainMetadata]) {
      server?.closeAllConnections();
      server?.close();
    }
    await emulator?.close();
    await proxy?.stop();
  });

  /** The service with a config file; AWS endpoints with a path per service, so the proxy log names each. */
  function start(name: string, config: ServiceConfig, env: Record<string, string>): Promise<SpawnedService> {
    return home.spawn({
      file: `${name}.json`,
      config: { server: { sessionSecret: SECRET }, store: { url: home.sqliteUrl(name) }, ...config },
      awsEmulator: {
        url: emulator.url,
        sts: `${emulator.url}/sts`,
        redshift: `${emulator.url}/redshift`,
        serverless: `${emulator.url}/serverless`,
      },
      env: { NODE_EXTRA_CA_CERTS: home.path('ca.pem'), ...env },
    });
  }

  const signInService = (name: string, env: Record<string, string>) =>
    start(
      name,
      {
        sp: { metadataFetch: { allowPrivateAddresses: true } },
        idps: [{ id: 'corp', metadataUrl: `https://localhost:${tlsPort}/metadata` }],
        clusters: [
          { id: 'warehouse', clusterIdentifier: 'prod-warehouse', database: 'analytics', roles: [TEST_ROLE_ARN] },
          { id: 'lake', type: 'serverless', workgroup: 'lake-wg', database: 'analytics', roles: [TEST_ROLE_ARN] },
        ],
      },
      env,
    );

  /** Sign-in (STS), then credentials for the provisioned cluster and the serverless workgroup. */
  async function walkEveryAwsCall(service: SpawnedService): Promise<void> {
    const client = new HttpFlow(service.baseUrl);
    const acs = await client.signInWithSignedResponse('corp');
    assert.equal(acs.status, 303, await acs.text());
    for (const [cluster, host] of [
      ['warehouse', 'warehouse.example.internal'],
      ['lake', 'lake-wg.example.internal'],
    ]) {
      const res = await client.postJson('/api/credentials', { cluster });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(((await res.json()) as { host?: string }).host, host);
    }
  }

  it('sends the metadata fetch and every AWS call through the proxy (https_proxy, HTTP_PROXY)', async () => {
    const proxied = proxy.requests().length;
    const calls = emulator.calls.length;
    const hits = metadataHits;
    const service = await signInService('proxied', { https_proxy: proxy.url, HTTP_PROXY: proxy.url });
    await walkEveryAwsCall(service);

    const actions = emulator.calls.slice(calls).map((c) => `${c.action}:${c.ok}`);
    assert.deepEqual(actions.sort(), [
      'AssumeRoleWithSAML:true',
      'DescribeClusters:true',
      'GetClusterCredentials:true',
      'GetCredentials:true',
      'GetWorkgroup:true',
    ]);
    const lines = proxy.requests().slice(proxied);
    const aws = new URL(emulator.url).host;
    assert.deepEqual(
      lines.map((l) => l.replace(`http://${aws}`, 'http://<emulator>').replace(/\/$/, '')).sort(),
      [
        `CONNECT localhost:${tlsPort}`,
        'POST http://<emulator>/redshift',
        'POST http://<emulator>/redshift',
        'POST http://<emulator>/serverless',
        'POST http://<emulator>/serverless',
        'POST http://<emulator>/sts',
      ],
      'one proxy request per metadata fetch and AWS call, none direct',
    );
    assert.equal(metadataHits - hits, 1, 'the metadata server was reached once, through the tunnel');
    assert.match(service.output(), /"msg":"outbound proxy"/);
  });

  it('connects directly to targets NO_PROXY covers (host:port and address entries): the proxy log does not grow', async () => {
    const calls = emulator.calls.length;
    const hits = metadataHits;
    const service = await signInService('no-proxy', {
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: `localhost:${tlsPort}, 127.0.0.1`,
    });
    const proxied = proxy.requests().length;
    await walkEveryAwsCall(service);
    assert.equal(emulator.calls.length - calls, 5, 'every AWS call was made');
    assert.equal(metadataHits - hits, 1, 'the metadata was fetched');
    assert.deepEqual(proxy.requests().slice(proxied), [], 'nothing went through the proxy');
  });

  it('refuses a metadata URL the SSRF guard forbids before anything reaches the proxy, and sends an allowed one through it', async () => {
    const service = await start(
      'ssrf',
      { sp: { metadataFetch: { allowHttpLoopback: true } }, admin: { groups: ['admins'] } },
      { HTTPS_PROXY: proxy.url, http_proxy: proxy.url },
    );
    // Not a terminal here: the one-time token is written to a 0600 file beside the SQLite store.
    const token = readFileSync(home.path('setup-token'), 'utf8').trim();
    assert.ok(token !== '', 'the setup token was handed out');
    const admin = new CookieClient(service.baseUrl);
    await signInWithSetupToken(admin, token);
    const preview = async (metadataUrl: string) => {
      const res = await admin.postForm('/admin/idps', {
        _csrf: await csrfOf(admin),
        action: 'preview',
        id: 'by-url',
        metadataUrl,
      });
      return { status: res.status, error: elementText(await res.text(), 'form-error') };
    };

    const proxied = proxy.requests().length;
    const forbidden: Array<[string, RegExp]> = [
      ['https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not a global unicast address.*refused/],
      [`https://localhost:${tlsPort}/metadata`, /localhost resolves to .*refused/],
      ['https://10.1.2.3/metadata', /10\.1\.2\.3 is not a global unicast address.*refused/],
      ['http://169.254.169.254/latest/meta-data/', /non-loopback address; refused/],
    ];
    for (const [url, reason] of forbidden) {
      const { status, error } = await preview(url);
      assert.equal(status, 400, url);
      assert.ok(error?.includes('(IDP_METADATA_INVALID)'), `${url}: ${error}`);
      assert.match(error ?? '', reason);
    }
    assert.deepEqual(proxy.requests().slice(proxied), [], 'no refused target reached the proxy');

    const allowed = await preview(`http://localhost:${plainPort}/metadata`);
    assert.equal(allowed.status, 200, allowed.error);
    assert.deepEqual(
      proxy.requests().slice(proxied),
      [`GET http://localhost:${plainPort}/metadata`],
      'the allowed target went through the proxy',
    );
  });
});
