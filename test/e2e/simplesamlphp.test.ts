// Sign-in through a real IdP in a real browser: Debian's SimpleSAMLphp 1.19 served as `localhost`,
// the service as `127.0.0.1` (another site, so the IdP's auto-POST to the ACS is cross-site), the
// AWS emulator, and a private PostgreSQL where the issued login really works with psql.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../../src/dev/private-postgres.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { freePort, ServiceHome, type SpawnedService } from '../support/spawn-service.ts';
import {
  assertNoErrorPage,
  diagnoseSsp,
  psql,
  spawnSspService,
  submitSspLogin,
  type SspSite,
} from '../support/ssp-flow.ts';
import { ensureSimpleSamlPhpTools } from '../support/ssp-install.ts';
import {
  startSimpleSamlPhp,
  SSP_ADMIN_ROLE,
  SSP_ANALYST_ROLE,
  SSP_PROVIDER_ARN,
  type SimpleSamlPhp,
} from '../support/ssp-idp.ts';

interface AcsPost {
  /** The request's Sec-Fetch-Site header, as Chromium sent it. */
  secFetchSite: string | undefined;
  samlResponse: string;
}

describe('sign-in through SimpleSAMLphp in Chromium', () => {
  let ssp: SimpleSamlPhp;
  let pg: PrivatePostgres;
  let emulator: AwsEmulator;
  let service: SpawnedService;
  let chromium: LaunchedChromium;
  let home: ServiceHome | undefined;
  let baseUrl: string;
  /** The deployment as the shared SimpleSAMLphp steps (ssp-flow.ts) see it. */
  let d: SspSite;
  /** SAMLResponses and DB passwords seen in the flow: none may reach the service's output. */
  const secrets: string[] = [];

  // Installing the Debian packages (only when missing, as root) may take minutes; starting up may not.
  before(() => ensureSimpleSamlPhpTools(), { timeout: 15 * 60_000 });

  before(
    async () => {
      home = ServiceHome.create('ssp-e2e');
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      // allSettled: whatever did start is assigned, so after() stops it even when another part failed.
      const started = await Promise.allSettled([
        startSimpleSamlPhp({ spBaseUrl: baseUrl }).then((s) => (ssp = s)),
        startPrivatePostgres().then((p) => (pg = p)),
        launchChromium().then((c) => (chromium = c)),
      ]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      emulator = await startAwsEmulator({
        samlProviders: [{ arn: SSP_PROVIDER_ARN, certs: [ssp.certificatePem], entityId: ssp.entityId }],
        clusters: [{ clusterIdentifier: 'ssp-cluster', host: pg.host, port: pg.port }],
        postgresAdminUrl: pg.url,
      });
      const metadataXml = await (await fetch(ssp.metadataUrl)).text();
      service = await spawnSspService(home, port, {
        idps: [{ id: 'ssp', name: 'SimpleSAMLphp', metadataXml }],
        clusters: [
          {
            id: 'ssp',
            name: 'SimpleSAMLphp cluster',
            clusterIdentifier: 'ssp-cluster',
            database: 'postgres',
            sslMode: 'disable',
            roles: [SSP_ANALYST_ROLE, SSP_ADMIN_ROLE],
          },
        ],
        aws: { endpoint: emulator.url },
      });
      d = { ssp, baseUrl, diagnose: (page) => diagnoseSsp(page, ssp, service) };
    },
    { timeout: 90_000 },
  );

  after(async () => {
    await chromium?.close();
    await home?.close();
    await emulator?.close();
    await pg?.stop();
    await ssp?.stop();
  });

  /** From /login... through SimpleSAMLphp's form to our page, recording the cross-site ACS POST. */
  async function signIn(page: Page, startPath: string, username: string, password: string): Promise<AcsPost> {
    const acsPosts: Array<Promise<AcsPost>> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${baseUrl}/saml/acs/ssp`) {
        const samlResponse = new URLSearchParams(request.postData() ?? '').get('SAMLResponse') ?? '';
        secrets.push(samlResponse);
        acsPosts.push(
          request.allHeaders().then((headers) => ({ secFetchSite: headers['sec-fetch-site'], samlResponse })),
        );
      }
    });
    await page.goto(`${baseUrl}${startPath}`);
    await submitSspLogin(page, d, username, password);
    assert.equal(acsPosts.length, 1, 'the IdP posted one response to our ACS');
    return (await acsPosts[0]) ?? { secFetchSite: undefined, samlResponse: '' };
  }

  it(
    'alice (one role) signs in, gets credentials, and her libpq URI logs in with psql',
    { timeout: 60_000 },
    async () => {
      const page = await (await chromium.newContext()).newPage();
      const { secFetchSite, samlResponse } = await signIn(page, '/login/ssp', 'alice', 'alicepass');
      assert.equal(secFetchSite, 'cross-site', 'the IdP at localhost posted to the ACS at 127.0.0.1 across sites');
      // What SimpleSAMLphp really sent: Response and Assertion both signed, uri NameFormat, two audiences.
      const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
      assert.equal(xml.match(/<ds:Signature\b/g)?.length, 2, 'Response and Assertion are each signed');
      assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmldsig-more#rsa-sha256"/);
      assert.match(xml, /NameFormat="urn:oasis:names:tc:SAML:2\.0:attrname-format:uri"/);
      assert.deepEqual(
        [...xml.matchAll(/<saml:Audience>([^<]+)</g)].map((m) => m[1]),
        [`${baseUrl}/saml/metadata`, 'urn:amazon:webservices'],
      );
      assert.ok(xml.includes(`<saml:Issuer>${ssp.entityId}</saml:Issuer>`));
      await assertNoErrorPage(page, d);
      assert.equal(new URL(page.url()).pathname, '/');

      const button = page.getByRole('button', { name: /Get credentials/ });
      await button.waitFor().catch(async () => assert.fail(`no cluster form ${await d.diagnose(page)}`));
      assert.equal(await page.getByRole('heading', { name: 'Choose a role' }).count(), 0, 'one role: no role chooser');
      await Promise.all([page.waitForURL(`${baseUrl}/credentials`), button.click()]);
      await assertNoErrorPage(page, d);

      assert.equal(await page.textContent('#db-user'), 'IAM:alice');
      const uri = (await page.textContent('#conn-uri')) ?? '';
      secrets.push((await page.textContent('#db-password')) ?? '');
      assert.match(uri, /^postgresql:\/\/IAM%3Aalice:/);
      assert.equal(await psql(uri), 'IAM:alice');

      const actions = emulator.calls.map((c) => `${c.action}:${c.ok}`);
      assert.ok(
        actions.includes('AssumeRoleWithSAML:true'),
        `STS accepted the SimpleSAMLphp assertion: ${actions.join(' ')}`,
      );
      assert.ok(actions.includes('GetClusterCredentials:true'), actions.join(' '));
      await page.context().close();
    },
  );

  it('bob (two roles) chooses RedshiftAdmin and gets credentials as IAM:bob', { timeout: 60_000 }, async () => {
    const page = await (await chromium.newContext()).newPage();
    await signIn(page, '/login/ssp', 'bob', 'bobpass');
    await assertNoErrorPage(page, d);
    await page.getByRole('heading', { name: 'Choose a role' }).waitFor();
    const roleLinks = page.locator('ul.choices li.role a.button');
    assert.deepEqual(await roleLinks.allTextContents(), ['RedshiftAnalyst', 'RedshiftAdmin']);

    await Promise.all([
      page.waitForURL((url) => url.searchParams.get('role') === SSP_ADMIN_ROLE),
      page.getByRole('link', { name: 'RedshiftAdmin' }).click(),
    ]);
    const button = page.getByRole('button', { name: /Get credentials/ });
    await Promise.all([page.waitForURL(`${baseUrl}/credentials`), button.click()]);
    await assertNoErrorPage(page, d);

    assert.equal(await page.textContent('#db-user'), 'IAM:bob');
    assert.match((await page.locator('dl.login').textContent()) ?? '', /RedshiftAdmin/);
    secrets.push((await page.textContent('#db-password')) ?? '');
    assert.equal(await psql((await page.textContent('#conn-uri')) ?? ''), 'IAM:bob');
    await page.context().close();
  });

  it(
    'keeps the return path through the IdP round trip and sets a Lax, HttpOnly session cookie on 127.0.0.1',
    { timeout: 60_000 },
    async () => {
      const context = await chromium.newContext();
      const page = await context.newPage();
      await signIn(page, `/login?returnTo=${encodeURIComponent('/api/me')}`, 'alice', 'alicepass');
      assert.equal(new URL(page.url()).pathname, '/api/me', 'RelayState brought the browser back to /api/me');
      const me = JSON.parse((await page.textContent('body')) ?? '{}') as Record<string, unknown>;
      assert.equal(me.idp, 'ssp');
      assert.equal(me.nameId, 'alice', 'the persistent NameID is the uid');
      assert.equal(me.dbUser, 'alice');

      const cookies = await context.cookies(baseUrl);
      const session = cookies.find((c) => c.name === 'redshift-sso');
      assert.ok(session, `a session cookie on 127.0.0.1: ${cookies.map((c) => c.name).join(', ')}`);
      assert.equal(session.domain, '127.0.0.1');
      assert.equal(session.sameSite, 'Lax');
      assert.equal(session.httpOnly, true);

      await page.goto(`${baseUrl}/?role=${encodeURIComponent(SSP_ANALYST_ROLE)}`);
      await page.getByRole('button', { name: /Get credentials/ }).waitFor();
      await context.close();
    },
  );

  it(
    'opened no JS dialog and never wrote a password or SAMLResponse to the service output',
    { timeout: 60_000 },
    async () => {
      assert.deepEqual(chromium.dialogs, []);
      const output = service.output();
      assert.ok(output.includes('issued db login'), 'the run did log the issued logins');
      for (const secret of secrets.filter((s) => s.length > 0)) {
        assert.ok(!output.includes(secret), 'a secret appeared in the service output');
        for (let i = 0; i + 80 < secret.length; i += 997)
          assert.ok(!output.includes(secret.slice(i, i + 80)), 'part of a SAMLResponse appeared in the output');
      }
      for (const password of ['alicepass', 'bobpass'])
        assert.ok(!output.includes(password), 'an IdP password appeared in the service output');
    },
  );
});
