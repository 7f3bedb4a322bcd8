// Metadata by URL is fetched again on a schedule: an IdP-side certificate rollover is picked up
// without a restart and recorded in the audit trail. An IdP whose metadata URL is down at start-up
// still signs in from the last good document in the store, and a retry (long before the hourly
// refresh) picks the document up once the URL answers again.
import { describe, it, before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../src/errors.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { startAppHarness, type AppHarness, type AppHarnessOptions } from '../support/app-harness.ts';
import { fakeTimers } from '../support/fake-timers.ts';
import { aSamlResponse, fixtureKeys, TEST_IDP_ISSUER, TEST_PRINCIPAL_ARN } from '../support/sign-response.ts';

/** The emulator trusts both fixture IdP keys: which one the service trusts is what is tested. */
const BOTH_KEYS: AppHarnessOptions['emulator'] = {
  samlProviders: [{ arn: TEST_PRINCIPAL_ARN, certs: [fixtureKeys.idp.certificate, fixtureKeys.idpNext.certificate] }],
};

/** An IdP-initiated response signed with `key`, posted to the IdP's ACS (JSON errors). */
const signInWith = (h: AppHarness, idpId: string, key: typeof fixtureKeys.idp) =>
  h.postAcs(aSamlResponse({ destination: h.acsUrlOf(idpId), recipient: h.acsUrlOf(idpId), key }), {
    idp: idpId,
    json: true,
  });

function metadataWith(certs: string[]): string {
  const descriptors = certs
    .map(
      (pem) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${pem.replace(/-----[^-]+-----|\s/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${TEST_IDP_ISSUER}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${descriptors}<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
}

describe('scheduled metadata refresh', () => {
  let server: Server;
  let served = metadataWith([fixtureKeys.idp.certificate]);
  let h: AppHarness;

  before(async () => {
    server = createServer((_req, res) => res.end(served));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const metadataUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metadata`;
    h = await startAppHarness({
      asService: true,
      metadataFetch: { allowHttpLoopback: true },
      idps: [{ id: 'corp', metadataUrl, allowIdpInitiated: true }],
      emulator: BOTH_KEYS,
    });
  });
  after(async () => {
    await h.close();
    server.close();
  });

  const signIn = (key: typeof fixtureKeys.idp) => signInWith(h, 'corp', key);

  it('trusts the new certificate after a refresh, and records the change', async () => {
    assert.equal((await signIn(fixtureKeys.idp)).status, 303);
    assert.equal((await signIn(fixtureKeys.idpNext)).status, 401, 'not trusted before the IdP publishes it');

    served = metadataWith([fixtureKeys.idpNext.certificate]);
    await h.service.metadata.refresh(h.service.registry.metadataUrls());

    assert.equal((await signIn(fixtureKeys.idpNext)).status, 303, 'the new certificate works without a restart');
    const old = await signIn(fixtureKeys.idp);
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as { error: { code: string } }).error.code, 'SAML_SIGNATURE_INVALID');

    const changes = await h.service.store.queryAudit({ kind: 'admin_change' });
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.actor, 'metadata-refresh');
    assert.equal(changes[0]?.idpId, 'corp');
    const details = changes[0]?.details as { before: { certificates: string[] }; after: { certificates: string[] } };
    assert.notDeepEqual(details.before.certificates, details.after.certificates);
  });

  it('keeps the last good metadata when a refresh fails', async () => {
    served = 'not xml';
    await h.service.metadata.refresh(h.service.registry.metadataUrls());
    assert.equal((await signIn(fixtureKeys.idpNext)).status, 303);
  });
});

describe('metadata URL down at start-up', () => {
  let dir: string;
  let port: number;
  let served = metadataWith([fixtureKeys.idp.certificate]);
  let server: Server | undefined;
  const storeUrl = () => `sqlite:${join(dir, 'store.db')}`;
  const metadataUrl = (path: string) => `http://127.0.0.1:${port}/${path}`;

  async function metadataServerUp(): Promise<void> {
    server = createServer((_req, res) => res.end(served));
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }
  async function metadataServerDown(): Promise<void> {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
  }

  /** The service as main.ts starts it, on the store file, with retries the test fires. */
  async function start() {
    const timers = fakeTimers();
    const h = await startAppHarness({
      asService: true,
      metadataFetch: { allowHttpLoopback: true, timeoutMs: 2000 },
      idps: [{ id: 'corp', metadataUrl: metadataUrl('file'), allowIdpInitiated: true }],
      store: openSqliteStore(storeUrl()),
      metadataRetry: { timers: timers.timers },
      emulator: BOTH_KEYS,
    });
    return { h, timers };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redshift-sso-metadata-'));
    port = 0;
    await metadataServerUp();
  });
  after(async () => {
    await metadataServerDown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start when the URL is down and nothing was ever stored (nothing to trust)', async () => {
    await metadataServerDown();
    await assert.rejects(
      start(),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 1 &&
        /^idps\[0\]\.metadataUrl: /.test(err.problems[0] ?? ''),
    );
    await metadataServerUp();
  });

  it('signs in through a file IdP and a console IdP from the stored documents, then a retry picks up the live ones', async () => {
    // A first run while the URL answers: the documents are fetched and stored.
    const first = await start();
    await first.h.service.store.putConnection(
      {
        kind: 'idp',
        id: 'console',
        entry: { id: 'console', metadataUrl: metadataUrl('console'), allowIdpInitiated: true },
        updatedAt: new Date(),
        updatedBy: 'admin',
      },
      0,
    );
    for (const idp of ['corp', 'console'])
      assert.equal((await signInWith(first.h, idp, fixtureKeys.idp)).status, 303, idp);
    await first.h.close();

    // Restart during an IdP outage.
    await metadataServerDown();
    const second = await start();
    for (const idp of ['corp', 'console'])
      assert.equal(
        (await signInWith(second.h, idp, fixtureKeys.idp)).status,
        303,
        `${idp} signs in from the stored metadata`,
      );
    const warnings = second.h.logs
      .map((l) => JSON.parse(l) as { level: number; msg: string; idpId?: string })
      .filter((l) => l.level === 40 && /stored metadata document/.test(l.msg));
    assert.deepEqual(warnings.map((w) => w.idpId).sort(), ['console', 'corp'], 'a warning names each IdP');
    assert.equal(second.timers.pending.length, 2, 'one retry per URL');
    assert.ok(
      second.timers.pending.every((t) => t.ms <= 30_000),
      'the first retry comes within 30 s, long before the hourly refresh',
    );

    // The IdP is back, with a new signing certificate: the retry picks it up.
    served = metadataWith([fixtureKeys.idpNext.certificate]);
    await metadataServerUp();
    await second.timers.fireAll();
    for (const idp of ['corp', 'console']) {
      assert.equal(
        (await signInWith(second.h, idp, fixtureKeys.idpNext)).status,
        303,
        `${idp} trusts the live document`,
      );
      assert.equal(
        (await signInWith(second.h, idp, fixtureKeys.idp)).status,
        401,
        `${idp} no longer trusts the stored one`,
      );
    }
    assert.equal(second.timers.pending.length, 0, 'no more retries');
    assert.equal(
      (await second.h.service.store.getMetadata(metadataUrl('file')))?.xml,
      served,
      'the live document is stored for the next start',
    );
    await second.h.close();
  });
});
