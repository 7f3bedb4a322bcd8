// SAML features against a real IdP, SimpleSAMLphp 1.19 at localhost, in Chromium, with the service
// at 127.0.0.1 naming the IdP by its metadata URL: a signing-key rollover, signed AuthnRequests,
// encrypted assertions (read by the service and by the STS emulator), IdP-initiated sign-in,
// Single Logout both ways, SHA-1 refusal, and which element must be signed. Clock skew is not
// covered: shifting SimpleSAMLphp's clock would need faketime, which is not installed here.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { startAwsEmulator, type AwsEmulator } from '../../src/dev/aws-emulator.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../../src/dev/private-postgres.ts';
import { parseIdpMetadata } from '../../src/saml/metadata.ts';
import { launchChromium, type LaunchedChromium } from '../support/browser-chromium.ts';
import { fixtureKeys } from '../support/sign-response.ts';
import {
  assertNoErrorPage,
  deploySspAndService,
  errorCodeOf,
  getCredentials,
  pemBody,
  recordAcsPosts,
  recordRequests,
  redirectMessageXml,
  submitSspLogin,
  type SspDeployment,
  type SspDeploymentOptions,
} from '../support/ssp-flow.ts';
import {
  SSP_ADMIN_ROLE,
  SSP_ANALYST_ROLE,
  SSP_PROVIDER_ARN,
  type SimpleSamlPhpChanges,
  type SspKeyPair,
} from '../support/ssp-idp.ts';
import { ensureSimpleSamlPhpTools } from '../support/ssp-install.ts';

const run = promisify(execFile);

/** One entity ID for every SimpleSAMLphp instance here, so one IAM SAML provider in the emulator fits all. */
const SSP_ENTITY_ID = 'https://simplesamlphp.test.example/idp';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const certPath = (name: string): string => fileURLToPath(new URL(`../fixtures/certs/${name}`, import.meta.url));
const keyPair = (key: { privateKey: string; certificate: string }): SspKeyPair => ({
  privateKeyPem: key.privateKey,
  certificatePem: key.certificate,
});
const IDP_KEY = keyPair(fixtureKeys.idp);
const IDP_NEXT_KEY = keyPair(fixtureKeys.idpNext);
/** The service's own pair: signs AuthnRequests and logout messages, decrypts assertions. */
const SP_KEYS = {
  signingKey: certPath('sp.key'),
  signingCert: certPath('sp.crt'),
  decryptionKey: certPath('sp.key'),
  decryptionCert: certPath('sp.crt'),
};

async function psql(uri: string): Promise<string> {
  const { stdout } = await run('psql', [uri, '-Atc', 'select current_user'], {
    env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
  });
  return stdout.trim();
}

describe('SAML features against SimpleSAMLphp in Chromium', () => {
  let pg: PrivatePostgres;
  let emulator: AwsEmulator;
  let chromium: LaunchedChromium;

  // Installing the Debian packages (only when missing, as root) may take minutes; starting up may not.
  before(() => ensureSimpleSamlPhpTools(), { timeout: 15 * 60_000 });

  before(
    async () => {
      const started = await Promise.allSettled([
        startPrivatePostgres().then((p) => (pg = p)),
        launchChromium().then((c) => (chromium = c)),
      ]);
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      emulator = await startAwsEmulator({
        samlProviders: [
          {
            arn: SSP_PROVIDER_ARN,
            // Both rollover certificates, and the SP's private key (IAM AddPrivateKey) for encrypted assertions.
            certs: [IDP_KEY.certificatePem, IDP_NEXT_KEY.certificatePem],
            entityId: SSP_ENTITY_ID,
            decryptionKeys: [fixtureKeys.sp.privateKey],
          },
        ],
        clusters: [{ clusterIdentifier: 'ssp-cluster', host: pg.host, port: pg.port }],
        postgresAdminUrl: pg.url,
      });
    },
    { timeout: 60_000 },
  );

  after(async () => {
    await chromium?.close();
    await emulator?.close();
    await pg?.stop();
  });

  function deploy(options: Pick<SspDeploymentOptions, 'ssp' | 'sp' | 'idps'>): Promise<SspDeployment> {
    return deploySspAndService({
      ...options,
      ssp: { entityId: SSP_ENTITY_ID, signingKey: IDP_KEY, ...options.ssp },
      clusters: [
        {
          id: 'ssp',
          clusterIdentifier: 'ssp-cluster',
          database: 'postgres',
          sslMode: 'disable',
          roles: [SSP_ANALYST_ROLE, SSP_ADMIN_ROLE],
        },
      ],
      awsEndpoint: emulator.url,
    });
  }

  async function newPage(): Promise<Page> {
    return (await chromium.newContext()).newPage();
  }

  async function apiMeStatus(page: Page, d: SspDeployment): Promise<number> {
    return (await page.context().request.get(`${d.baseUrl}/api/me`)).status();
  }

  /** AssumeRoleWithSAML outcomes recorded since `from` (an index into emulator.calls). */
  function stsOutcomes(from: number): string[] {
    return emulator.calls
      .slice(from)
      .filter((c) => c.action === 'AssumeRoleWithSAML')
      .map((c) => (c.ok ? 'ok' : (c.errorCode ?? 'failed')));
  }

  describe('everything on: metadata URL with two certificates, signed requests and logout, encryption, IdP-initiated', () => {
    let d: SspDeployment;

    before(
      async () => {
        d = await deploy({
          ssp: {
            nextSigningKey: IDP_NEXT_KEY,
            spCertificatePem: fixtureKeys.sp.certificate,
            validateAuthnRequest: true,
            encryptAssertion: true,
            singleLogout: true,
            signLogout: true,
            validateLogout: true,
          },
          sp: SP_KEYS,
          // wantLogoutSigned is left to its default (true): the SLO tests below prove the default.
          idps: [{ id: 'ssp', allowIdpInitiated: true }],
        });
      },
      { timeout: 60_000 },
    );

    after(() => d?.stop());

    it(
      'reads the IdP from its metadata URL, which lists two signing certificates, and signs in',
      { timeout: 30_000 },
      async () => {
        const metadata = parseIdpMetadata(await (await fetch(d.ssp.metadataUrl)).text());
        assert.equal(metadata.entityId, SSP_ENTITY_ID);
        assert.deepEqual(
          metadata.signingCerts.map(pemBody).sort(),
          [IDP_KEY, IDP_NEXT_KEY].map((k) => pemBody(k.certificatePem)).sort(),
        );
        assert.equal(metadata.sloUrl, d.ssp.sloUrl);

        const page = await newPage();
        await page.goto(`${d.baseUrl}/login/ssp`);
        await submitSspLogin(page, d);
        await assertNoErrorPage(page, d);
        assert.equal(new URL(page.url()).pathname, '/');
        await page.context().close();
      },
    );

    it('signs its AuthnRequests (SHA-256), which this SimpleSAMLphp requires', { timeout: 30_000 }, async () => {
      const page = await newPage();
      const toIdp = recordRequests(page, d.ssp.ssoUrl);
      await page.goto(`${d.baseUrl}/login/ssp`);
      await submitSspLogin(page, d);
      await assertNoErrorPage(page, d);
      const request = toIdp.find((url) => url.searchParams.has('SAMLRequest'));
      assert.ok(request, 'an AuthnRequest went to SimpleSAMLphp by HTTP-Redirect');
      assert.equal(request.searchParams.get('SigAlg'), RSA_SHA256);
      assert.ok((request.searchParams.get('Signature') ?? '').length > 100, 'the query carries a Signature');
      assert.match(redirectMessageXml(request), /<samlp:AuthnRequest\b/);
      await page.context().close();
    });

    it('publishes its signing and encryption certificates in the SP metadata', async () => {
      const res = await fetch(`${d.baseUrl}/saml/metadata/ssp`);
      assert.equal(res.status, 200);
      const xml = await res.text();
      const sp = pemBody(fixtureKeys.sp.certificate);
      for (const use of ['signing', 'encryption']) {
        const descriptor = new RegExp(`<KeyDescriptor use="${use}">[\\s\\S]*?</KeyDescriptor>`).exec(xml)?.[0] ?? '';
        assert.ok(
          descriptor.replace(/\s+/g, '').includes(sp),
          `KeyDescriptor use="${use}" holds the SP certificate:\n${xml}`,
        );
      }
      assert.match(xml, /AuthnRequestsSigned="true"/);
      assert.ok(xml.includes(`Location="${d.baseUrl}/saml/slo/ssp"`), 'lists the SLO endpoint');
    });

    it(
      "reads the encrypted assertion, and STS decrypts it with the IAM provider's key: the issued login works",
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
        const firstCall = emulator.calls.length;
        await page.goto(`${d.baseUrl}/login/ssp`);
        await submitSspLogin(page, d);
        const xml = posts[0] ?? '';
        assert.match(xml, /<saml:EncryptedAssertion\b/);
        assert.doesNotMatch(xml, /<saml:Assertion\b/, 'no assertion in the clear');
        assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#rsa-oaep-mgf1p"/);
        assert.match(xml, /Algorithm="http:\/\/www\.w3\.org\/2001\/04\/xmlenc#aes128-cbc"/);

        const { dbUser, uri } = await getCredentials(page, d);
        assert.equal(dbUser, 'IAM:alice');
        assert.equal(await psql(uri), 'IAM:alice');
        assert.deepEqual(stsOutcomes(firstCall), ['ok'], 'the emulator accepted the encrypted response');
        await page.context().close();
      },
    );

    it('signs in from SimpleSAMLphp (IdP-initiated) with allowIdpInitiated: true', { timeout: 30_000 }, async () => {
      const page = await newPage();
      const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
      await page.goto(`${d.ssp.ssoUrl}?spentityid=${encodeURIComponent(d.ssp.spEntityId)}`);
      await submitSspLogin(page, d);
      assert.equal(posts.length, 1);
      assert.doesNotMatch(posts[0] ?? '', /InResponseTo=/, 'an unsolicited response');
      await assertNoErrorPage(page, d);
      assert.equal(new URL(page.url()).pathname, '/');
      assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
      await page.context().close();
    });

    it(
      'signs out at the service and at SimpleSAMLphp (SP-initiated Single Logout, signed both ways)',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        await page.goto(`${d.baseUrl}/login/ssp`);
        await submitSspLogin(page, d);
        await assertNoErrorPage(page, d);
        // SimpleSAMLphp has a session now: a second sign-in needs no password.
        await page.goto(`${d.baseUrl}/login/ssp`);
        await page.waitForURL((url) => url.origin === d.baseUrl && url.pathname === '/', { waitUntil: 'load' });
        assert.equal(await apiMeStatus(page, d), 200);

        const toIdp = recordRequests(page, d.ssp.sloUrl);
        const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
        await Promise.all([
          page.waitForURL((url) => url.origin === d.baseUrl && url.pathname === '/saml/slo/ssp', { waitUntil: 'load' }),
          page.getByRole('button', { name: 'Sign out' }).click(),
        ]).catch(async (err: unknown) =>
          assert.fail(`did not come back from SimpleSAMLphp's logout (${String(err)}) ${await d.diagnose(page)}`),
        );
        await assertNoErrorPage(page, d);
        assert.equal(await page.textContent('h1'), 'You are signed out');

        const logoutRequest = toIdp.find((url) => url.searchParams.has('SAMLRequest'));
        assert.ok(logoutRequest, 'our LogoutRequest went to SimpleSAMLphp');
        assert.match(redirectMessageXml(logoutRequest), /<samlp:LogoutRequest\b/);
        assert.equal(logoutRequest.searchParams.get('SigAlg'), RSA_SHA256, 'our LogoutRequest is signed');
        const logoutResponse = toUs.find((url) => url.searchParams.has('SAMLResponse'));
        assert.ok(logoutResponse, 'SimpleSAMLphp answered with a LogoutResponse');
        assert.ok(logoutResponse.searchParams.has('Signature'), 'SimpleSAMLphp signed its LogoutResponse');
        assert.ok(redirectMessageXml(logoutResponse).includes(`Value="${SUCCESS}"`));

        assert.equal(await apiMeStatus(page, d), 401);
        await page.goto(`${d.baseUrl}/login/ssp`);
        await page
          .waitForSelector('#username')
          .catch(async () => assert.fail(`SimpleSAMLphp did not ask for the password again ${await d.diagnose(page)}`));
        await page.context().close();
      },
    );

    it(
      'ends the session when SimpleSAMLphp starts the logout (IdP-initiated, signed both ways)',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        await page.goto(`${d.baseUrl}/login/ssp`);
        await submitSspLogin(page, d);
        await assertNoErrorPage(page, d);
        assert.equal(await apiMeStatus(page, d), 200);

        const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
        const toIdp = recordRequests(page, d.ssp.sloUrl);
        const returnTo = `${d.baseUrl}/api/me`;
        const final = await page.goto(`${d.ssp.sloUrl}?ReturnTo=${encodeURIComponent(returnTo)}`);
        assert.equal(
          page.url(),
          returnTo,
          `SimpleSAMLphp finished the logout and sent the browser to ReturnTo ${await d.diagnose(page)}`,
        );
        assert.equal(final?.status(), 401, 'our session has ended');

        const logoutRequest = toUs.find((url) => url.searchParams.has('SAMLRequest'));
        assert.ok(logoutRequest, 'SimpleSAMLphp sent a LogoutRequest to our SLO endpoint by HTTP-Redirect');
        assert.equal(logoutRequest.searchParams.get('SigAlg'), RSA_SHA256);
        const logoutResponse = toIdp.find((url) => url.searchParams.has('SAMLResponse'));
        assert.ok(logoutResponse, 'our LogoutResponse went back to SimpleSAMLphp');
        assert.ok(
          logoutResponse.searchParams.has('Signature'),
          'our LogoutResponse is signed (SimpleSAMLphp validates it)',
        );
        assert.ok(redirectMessageXml(logoutResponse).includes(`Value="${SUCCESS}"`));
        const sspLog = await d.ssp.logs();
        assert.ok(
          sspLog.includes(`Received SAML 2.0 LogoutResponse from: '${d.ssp.spEntityId}'`),
          'SimpleSAMLphp accepted our LogoutResponse',
        );
        assert.ok(!sspLog.includes('Unsuccessful logout'));
        await page.context().close();
      },
    );

    it(
      'refuses unsigned logout messages by default (SAML_LOGOUT_UNSIGNED); the session survives a LogoutRequest',
      { timeout: 30_000 },
      async () => {
        await d.ssp.update({ signLogout: false });
        try {
          const page = await newPage();
          await page.goto(`${d.baseUrl}/login/ssp`);
          await submitSspLogin(page, d);
          await assertNoErrorPage(page, d);
          const toUs = recordRequests(page, `${d.baseUrl}/saml/slo/ssp`);
          const final = await page.goto(`${d.ssp.sloUrl}?ReturnTo=${encodeURIComponent(`${d.baseUrl}/api/me`)}`);
          const logoutRequest = toUs.find((url) => url.searchParams.has('SAMLRequest'));
          assert.ok(
            logoutRequest && !logoutRequest.searchParams.has('Signature'),
            `SimpleSAMLphp sent an unsigned LogoutRequest ${await d.diagnose(page)}`,
          );
          assert.equal(await errorCodeOf(page), 'SAML_LOGOUT_UNSIGNED', await d.diagnose(page));
          assert.equal(final?.status(), 401);
          assert.equal(await apiMeStatus(page, d), 200, 'the session survives an unsigned LogoutRequest');

          // Our own sign-out still ends the local session; SimpleSAMLphp's unsigned LogoutResponse is refused.
          await page.goto(`${d.baseUrl}/`);
          const slo = page.waitForResponse((res) => res.url().startsWith(`${d.baseUrl}/saml/slo/ssp?SAMLResponse=`));
          await page.getByRole('button', { name: 'Sign out' }).click();
          assert.equal((await slo).status(), 401);
          assert.equal(await errorCodeOf(page), 'SAML_LOGOUT_UNSIGNED', await d.diagnose(page));
          assert.equal(await apiMeStatus(page, d), 401);
          await page.context().close();
        } finally {
          await d.ssp.update({ signLogout: true });
        }
      },
    );

    // Last here: it changes SimpleSAMLphp's key for good.
    it(
      'still signs in after SimpleSAMLphp rolls over to its second key (trusted from the start-up metadata)',
      { timeout: 30_000 },
      async () => {
        await d.ssp.update({ signingKey: IDP_NEXT_KEY, nextSigningKey: undefined });
        const metadata = parseIdpMetadata(await (await fetch(d.ssp.metadataUrl)).text());
        assert.deepEqual(
          metadata.signingCerts.map(pemBody),
          [pemBody(IDP_NEXT_KEY.certificatePem)],
          'SimpleSAMLphp now publishes only the new key',
        );

        const page = await newPage();
        const firstCall = emulator.calls.length;
        await page.goto(`${d.baseUrl}/login/ssp`);
        await submitSspLogin(page, d);
        assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
        assert.deepEqual(stsOutcomes(firstCall), ['ok']);
        await page.context().close();
      },
    );

    it('never answered with a 5xx', () => {
      assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
    });
  });

  describe('service defaults (no SP keys) and per-IdP-entry exceptions', () => {
    let d: SspDeployment;
    /** SimpleSAMLphp as each test starts: signs Response and Assertion with RSA-SHA256, no encryption. */
    const baseline: SimpleSamlPhpChanges = {
      validateAuthnRequest: false,
      encryptAssertion: false,
      signatureAlgorithm: RSA_SHA256,
      signAssertion: true,
      signResponse: true,
    };

    before(
      async () => {
        d = await deploy({
          // The SP entry knows our certificate, but the service has no keys: it signs and decrypts nothing.
          ssp: { spCertificatePem: fixtureKeys.sp.certificate, extraIdpIds: ['ssp-sha1', 'ssp-response-signed'] },
          idps: [
            { id: 'ssp' },
            { id: 'ssp-sha1', allowSha1Signatures: true },
            { id: 'ssp-response-signed', wantAssertionsSigned: false },
          ],
        });
      },
      { timeout: 60_000 },
    );

    after(() => d?.stop());

    /** Starts at /login/<idpId> with SimpleSAMLphp set up with `changes`; returns the ACS POST's status and XML. */
    async function signInVia(
      page: Page,
      idpId: string,
      changes: SimpleSamlPhpChanges,
    ): Promise<{ status: number | undefined; xml: string }> {
      await d.ssp.update({ ...baseline, ...changes });
      const posts = recordAcsPosts(page, `${d.baseUrl}/saml/acs/`);
      const acs = page.waitForResponse(
        (res) => res.request().method() === 'POST' && res.url() === `${d.baseUrl}/saml/acs/${idpId}`,
      );
      await page.goto(`${d.baseUrl}/login/${idpId}`);
      await submitSspLogin(page, d);
      return { status: (await acs.catch(() => undefined))?.status(), xml: posts[0] ?? '' };
    }

    it(
      'SimpleSAMLphp refuses an unsigned AuthnRequest when it requires signed ones (no sp.signingKey)',
      { timeout: 30_000 },
      async () => {
        await d.ssp.update({ ...baseline, validateAuthnRequest: true });
        const page = await newPage();
        await page.goto(`${d.baseUrl}/login/ssp`);
        assert.equal(new URL(page.url()).origin, d.ssp.baseUrl, 'the browser stays at SimpleSAMLphp');
        assert.equal(await page.locator('#username').count(), 0, 'no login form');
        // SimpleSAMLphp 1.19 shows its "Unhandled exception" page with HTTP 200; the text is what says no.
        const body = (await page.textContent('body')) ?? '';
        assert.match(
          body,
          /Validation of received messages enabled, but no signature found on message/,
          await d.diagnose(page),
        );
        assert.match(
          await d.ssp.logs(),
          /Validation with key #0 failed without exception/,
          'SimpleSAMLphp checked for a signature with our certificate',
        );
        await page.context().close();
      },
    );

    it(
      'shows SAML_DECRYPTION_KEY_MISSING for an encrypted assertion without sp.decryptionKey',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        const { status, xml } = await signInVia(page, 'ssp', { encryptAssertion: true });
        assert.match(xml, /<saml:EncryptedAssertion\b/);
        assert.equal(await errorCodeOf(page), 'SAML_DECRYPTION_KEY_MISSING', await d.diagnose(page));
        assert.equal(status, 401);
        await page.context().close();
      },
    );

    it(
      'refuses an IdP-initiated sign-in with SAML_UNSOLICITED when allowIdpInitiated is off',
      { timeout: 30_000 },
      async () => {
        await d.ssp.update(baseline);
        const page = await newPage();
        const acs = page.waitForResponse(
          (res) => res.request().method() === 'POST' && res.url() === `${d.baseUrl}/saml/acs/ssp`,
        );
        await page.goto(`${d.ssp.ssoUrl}?spentityid=${encodeURIComponent(d.ssp.spEntityId)}`);
        await submitSspLogin(page, d);
        assert.equal(await errorCodeOf(page), 'SAML_UNSOLICITED', await d.diagnose(page));
        assert.equal((await acs).status(), 401);
        assert.match((await page.textContent('main')) ?? '', /IdP-initiated login is off/);
        assert.equal(await apiMeStatus(page, d), 401);
        await page.context().close();
      },
    );

    it(
      'refuses RSA-SHA1 signatures by default with SAML_ALGORITHM_NOT_ALLOWED, naming SHA1',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        const { status, xml } = await signInVia(page, 'ssp', { signatureAlgorithm: RSA_SHA1 });
        assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`), 'SimpleSAMLphp signed with RSA-SHA1');
        assert.equal(await errorCodeOf(page), 'SAML_ALGORITHM_NOT_ALLOWED', await d.diagnose(page));
        assert.equal(status, 401);
        assert.match((await page.textContent('p.error-text')) ?? '', /SHA1/);
        await page.context().close();
      },
    );

    it('accepts RSA-SHA1 signatures on an IdP entry with allowSha1Signatures: true', { timeout: 30_000 }, async () => {
      const page = await newPage();
      const { xml } = await signInVia(page, 'ssp-sha1', { signatureAlgorithm: RSA_SHA1 });
      assert.ok(xml.includes(`Algorithm="${RSA_SHA1}"`));
      assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
      await page.context().close();
    });

    it(
      'refuses a response whose assertion is not signed (Response only) by default with SAML_SIGNATURE_INVALID',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        const { status, xml } = await signInVia(page, 'ssp', { signAssertion: false, signResponse: true });
        assert.equal(xml.match(/<ds:Signature\b/g)?.length, 1, 'one signature, on the Response');
        assert.equal(await errorCodeOf(page), 'SAML_SIGNATURE_INVALID', await d.diagnose(page));
        assert.equal(status, 401);
        await page.context().close();
      },
    );

    it(
      'accepts a Response-only signature on an IdP entry with wantAssertionsSigned: false',
      { timeout: 30_000 },
      async () => {
        const page = await newPage();
        const firstCall = emulator.calls.length;
        await signInVia(page, 'ssp-response-signed', { signAssertion: false, signResponse: true });
        assert.equal((await getCredentials(page, d)).dbUser, 'IAM:alice');
        assert.deepEqual(stsOutcomes(firstCall), ['ok'], 'STS accepts a signed Response around an unsigned assertion');
        await page.context().close();
      },
    );

    it('never answered with a 5xx', () => {
      assert.doesNotMatch(d.service.output(), /"status":5\d\d|"level":50/);
    });
  });
});
