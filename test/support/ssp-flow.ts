// One SimpleSAMLphp IdP plus the service configured for it (the IdP named by its metadata URL), and
// the browser steps the SimpleSAMLphp tests share: SimpleSAMLphp's login form, our error pages, and
// the SAML messages that cross the browser (ACS POSTs, HTTP-Redirect logout messages).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { spawnService, freePort, type SpawnedService, WITHOUT_AMBIENT_AWS } from './spawn-service.ts';
import { startSimpleSamlPhp, type SimpleSamlPhp, type SimpleSamlPhpOptions } from './ssp-idp.ts';
import { testSessionSecret } from './test-secret.ts';

export interface SspDeploymentOptions {
  ssp: Omit<SimpleSamlPhpOptions, 'spBaseUrl'>;
  /** Settings merged into the service's `sp` section (keys, certificates). */
  sp?: Record<string, unknown>;
  /** IdP entries: `id` and flags; each gets `metadataUrl` = SimpleSAMLphp's metadata URL. */
  idps: Array<{ id: string } & Record<string, unknown>>;
  /** The service's `clusters` section. */
  clusters: Array<Record<string, unknown>>;
  awsEndpoint: string;
}

export interface SspDeployment {
  ssp: SimpleSamlPhp;
  service: SpawnedService;
  /** The service: http://127.0.0.1:PORT (another site than SimpleSAMLphp's localhost). */
  baseUrl: string;
  /** Where the browser is, what it shows, and both servers' logs, for failure messages. */
  diagnose(page: Page): Promise<string>;
  stop(): Promise<void>;
}

export async function deploySspAndService(options: SspDeploymentOptions): Promise<SspDeployment> {
  const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-ssp-features-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let ssp: SimpleSamlPhp | undefined;
  let service: SpawnedService | undefined;
  const stop = async (): Promise<void> => {
    await service?.stop();
    await ssp?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ssp = await startSimpleSamlPhp({ ...options.ssp, spBaseUrl: baseUrl });
    const config = {
      mode: 'development',
      server: { baseUrl, sessionSecret: testSessionSecret() },
      // SimpleSAMLphp serves plain HTTP on loopback: allowed for metadata only with this switch.
      sp: { ...options.sp, metadataFetch: { allowHttpLoopback: true } },
      idps: options.idps.map((idp) => ({ name: 'SimpleSAMLphp', ...idp, metadataUrl: ssp?.metadataUrl })),
      clusters: options.clusters,
      aws: { endpoint: options.awsEndpoint },
      store: { url: `sqlite:${join(dir, 'store.db')}` },
    };
    const configPath = join(dir, 'redshift-sso.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    service = await spawnService({
      REDSHIFT_SSO_CONFIG: configPath,
      REDSHIFT_SSO_BASE_URL: baseUrl,
      PORT: String(port),
      ...WITHOUT_AMBIENT_AWS,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const started = { ssp, service };
  return {
    ...started,
    baseUrl,
    diagnose: async (page) => {
      const body = await page.textContent('body').catch(() => '(no body)');
      const sspLogs = await started.ssp.logs();
      return `at ${page.url()}:\n${body?.replace(/\s+/g, ' ').slice(0, 1500)}\n--- service ---\n${started.service.output().slice(-4000)}\n--- simplesamlphp ---\n${sspLogs.slice(-4000)}`;
    },
    stop,
  };
}

/**
 * At SimpleSAMLphp's login form (the page must be on its way there): types the password and waits
 * until the browser is back at the service, on a page or on an error page.
 */
export async function submitSspLogin(
  page: Page,
  d: SspDeployment,
  username = 'alice',
  password = 'alicepass',
): Promise<void> {
  await page
    .waitForSelector('#username')
    .catch(async (err: unknown) =>
      assert.fail(`no SimpleSAMLphp login form (${String(err)}) ${await d.diagnose(page)}`),
    );
  assert.equal(new URL(page.url()).origin, d.ssp.baseUrl, 'the login form is served by SimpleSAMLphp');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((url) => url.origin === d.baseUrl, { waitUntil: 'load' }),
    page.click('#submit_button'),
  ]).catch(async (err: unknown) =>
    assert.fail(`did not come back from SimpleSAMLphp (${String(err)}) ${await d.diagnose(page)}`),
  );
}

/** The code our error page shows, or null when the (loaded) page is not an error page. */
export async function errorCodeOf(page: Page): Promise<string | null> {
  await page.waitForLoadState('load');
  const code = page.locator('p.meta code').first();
  return (await code.count()) === 0 ? null : code.textContent();
}

export async function assertNoErrorPage(page: Page, d: SspDeployment): Promise<void> {
  const code = await errorCodeOf(page);
  if (code !== null) assert.fail(`the service showed error ${code} ${await d.diagnose(page)}`);
}

/** From the home page of a one-role user: the credentials page; returns the DB user and libpq URI. */
export async function getCredentials(page: Page, d: SspDeployment): Promise<{ dbUser: string; uri: string }> {
  await assertNoErrorPage(page, d);
  const button = page.getByRole('button', { name: /Get credentials/ });
  await button.waitFor().catch(async () => assert.fail(`no cluster form ${await d.diagnose(page)}`));
  await Promise.all([page.waitForURL(`${d.baseUrl}/credentials`), button.click()]);
  await assertNoErrorPage(page, d);
  return { dbUser: (await page.textContent('#db-user')) ?? '', uri: (await page.textContent('#conn-uri')) ?? '' };
}

/** Records the decoded XML of every SAMLResponse the page POSTs to a URL starting with `acsPrefix`. */
export function recordAcsPosts(page: Page, acsPrefix: string): string[] {
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().startsWith(acsPrefix)) {
      const samlResponse = new URLSearchParams(request.postData() ?? '').get('SAMLResponse') ?? '';
      posts.push(Buffer.from(samlResponse, 'base64').toString('utf8'));
    }
  });
  return posts;
}

/** Records the URL of every request the page makes to a URL starting with `prefix` (redirects included). */
export function recordRequests(page: Page, prefix: string): URL[] {
  const urls: URL[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(prefix)) urls.push(new URL(request.url()));
  });
  return urls;
}

/** The XML of an HTTP-Redirect binding message (base64 of raw DEFLATE), from SAMLRequest or SAMLResponse. */
export function redirectMessageXml(url: URL): string {
  const encoded = url.searchParams.get('SAMLRequest') ?? url.searchParams.get('SAMLResponse');
  if (encoded === null) return '';
  return inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
}

/** The PEM body (base64 DER without headers or whitespace), to compare certificates across formats. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
