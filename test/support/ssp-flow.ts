// One SimpleSAMLphp IdP plus the service configured for it (the IdP named by its metadata URL), and
// the browser steps the SimpleSAMLphp tests share: SimpleSAMLphp's login form, our error pages, and
// the SAML messages that cross the browser (ACS POSTs, HTTP-Redirect logout messages).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import {
  freePort,
  ServiceHome,
  type ServiceConfig,
  type SpawnedService,
  WITHOUT_AMBIENT_AWS,
} from './spawn-service.ts';
export { pemBody } from './ssp-config.ts';
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

/** What the browser steps below need of a deployment. */
export type SspSite = Pick<SspDeployment, 'ssp' | 'baseUrl' | 'diagnose'>;

/**
 * The service of a SimpleSAMLphp test at http://127.0.0.1:`port`: development mode (the emulator named by `aws`), a
 * JSON configuration with these sections and a SQLite store in `home`.
 */
export function spawnSspService(home: ServiceHome, port: number, sections: ServiceConfig): Promise<SpawnedService> {
  const baseUrl = `http://127.0.0.1:${port}`;
  return home.spawn({
    port,
    file: 'redshift-sso.json',
    config: {
      mode: 'development',
      server: { baseUrl, sessionSecret: testSessionSecret() },
      store: { url: home.sqliteUrl() },
      ...sections,
    },
    env: WITHOUT_AMBIENT_AWS,
  });
}

export async function deploySspAndService(options: SspDeploymentOptions): Promise<SspDeployment> {
  const home = ServiceHome.create('ssp-features');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let ssp: SimpleSamlPhp | undefined;
  let service: SpawnedService | undefined;
  const stop = async (): Promise<void> => {
    await home.close();
    await ssp?.stop();
  };
  try {
    ssp = await startSimpleSamlPhp({ ...options.ssp, spBaseUrl: baseUrl });
    const metadataUrl = ssp.metadataUrl;
    service = await spawnSspService(home, port, {
      // SimpleSAMLphp serves plain HTTP on loopback: allowed for metadata only with this switch.
      sp: { ...options.sp, metadataFetch: { allowHttpLoopback: true } },
      idps: options.idps.map((idp) => ({ name: 'SimpleSAMLphp', ...idp, metadataUrl })),
      clusters: options.clusters,
      aws: { endpoint: options.awsEndpoint },
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const started = { ssp, service };
  return {
    ...started,
    baseUrl,
    diagnose: (page) => diagnoseSsp(page, started.ssp, started.service),
    stop,
  };
}

/** Where the browser is, what it shows, and the logs of the service and of SimpleSAMLphp. */
export async function diagnoseSsp(page: Page, ssp: SimpleSamlPhp, service: SpawnedService): Promise<string> {
  const body = await page.textContent('body').catch(() => '(no body)');
  const sspLogs = await ssp.logs();
  return `at ${page.url()}:\n${body?.replace(/\s+/g, ' ').slice(0, 1500)}\n--- service ---\n${service.output().slice(-4000)}\n--- simplesamlphp ---\n${sspLogs.slice(-4000)}`;
}

/**
 * At SimpleSAMLphp's login form (the page must be on its way there): types the password and waits
 * until the browser is back at the service, on a page or on an error page.
 */
export async function submitSspLogin(
  page: Page,
  d: SspSite,
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

/** From /login/<idpId> through SimpleSAMLphp's form (as alice) back to the service, which shows no error page. */
export async function signInAtService(page: Page, d: SspSite, idpId = 'ssp'): Promise<void> {
  await page.goto(`${d.baseUrl}/login/${idpId}`);
  await submitSspLogin(page, d);
  await assertNoErrorPage(page, d);
}

/** GET /api/me in the page's browser context (its cookies): 200 while signed in, 401 after. */
export async function apiMeStatus(page: Page, d: SspSite): Promise<number> {
  return (await page.context().request.get(`${d.baseUrl}/api/me`)).status();
}

/** Logs in with psql at a libpq URI the service issued; returns the database's current_user. */
export async function psql(uri: string): Promise<string> {
  const { stdout } = await promisify(execFile)('psql', [uri, '-Atc', 'select current_user'], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
  });
  return stdout.trim();
}

/** The code our error page shows, or null when the (loaded) page is not an error page. */
export async function errorCodeOf(page: Page): Promise<string | null> {
  await page.waitForLoadState('load');
  const code = page.locator('p.meta code').first();
  return (await code.count()) === 0 ? null : code.textContent();
}

export async function assertNoErrorPage(page: Page, d: SspSite): Promise<void> {
  const code = await errorCodeOf(page);
  if (code !== null) assert.fail(`the service showed error ${code} ${await d.diagnose(page)}`);
}

/** From the home page of a one-role user: the credentials page; returns the DB user and libpq URI. */
export async function getCredentials(page: Page, d: SspSite): Promise<{ dbUser: string; uri: string }> {
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
