// MetadataCache with a scripted fetch, fake timers and a real (in-memory SQLite) store: a failed
// fetch falls back to the stored last good document, is retried with bounded, jittered
// exponential backoff, and a fetch that works again is picked up, cached and stored.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { MetadataCache } from '../../../src/connections/metadata-cache.ts';
import { backoffDelayMs, describeUrl, RETRY_BASE_MS } from '../../../src/connections/metadata-retry.ts';
import { createLogger } from '../../../src/logger.ts';
import { MetadataFetchError } from '../../../src/saml/metadata-fetch.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import type { Store } from '../../../src/store/ports.ts';
import { idpMetadataXml } from '../../support/admin-certs.ts';
import { fixtureKeys } from '../../support/sign-response.ts';
import { fakeTimers, type FakeTimers } from '../../support/fake-timers.ts';

const URL_WITH_TOKEN = 'https://user:hunter2@idp.example/app/metadata?token=s3cret-t0ken';
const HOUR_MS = 3_600_000;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const doc = (key = fixtureKeys.idp) =>
  idpMetadataXml('https://idp.example/entity', 'https://idp.example/sso', [
    { certificate: key.certificate, use: 'signing' },
  ]);

describe('MetadataCache retries and the stored last good document', () => {
  let store: Store;
  let logs: string[];
  let serve: () => string;
  let fetches: number;
  let clock: FakeTimers;

  beforeEach(() => {
    store = openSqliteStore('sqlite::memory:');
    logs = [];
    fetches = 0;
    serve = () => {
      throw new MetadataFetchError('metadata URL could not be fetched: connect ECONNREFUSED');
    };
    clock = fakeTimers();
  });
  afterEach(() => store.close());

  function cache(random = () => 1): MetadataCache {
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        logs.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    return new MetadataCache({
      fetchOptions: { timeoutMs: 1000, maxBytes: 100_000, allowHttpLoopback: false, allowPrivateAddresses: false },
      audit: store,
      records: store,
      logger: createLogger({ level: 'debug' }, sink),
      now: () => T0,
      fetch: async () => {
        fetches += 1;
        return serve();
      },
      retryMaxMs: HOUR_MS,
      timers: clock.timers,
      random,
    });
  }

  it('backs off from 30 s, doubling, and stops before the refresh interval (the scheduled refresh takes over)', async () => {
    const metadata = cache(() => 1);
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    const delays: number[] = [];
    while (clock.pending.length > 0) {
      delays.push(clock.pending[0]?.ms ?? 0);
      await clock.fire();
    }
    assert.deepEqual(delays, [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000]);
    assert.equal(fetches, 8);
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    assert.equal(clock.pending.length, 0, 'an exhausted backoff waits for the scheduled refresh');

    serve = () => doc();
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    serve = () => 'not xml';
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    assert.deepEqual(
      clock.pending.map((p) => p.ms),
      [30_000],
      'a success resets the backoff',
    );
    assert.equal(metadata.get(URL_WITH_TOKEN), doc(), 'an invalid document keeps the last good one');
  });

  it('puts jitter between half and all of each delay', () => {
    for (let attempt = 0; attempt < 7; attempt += 1) {
      const full = RETRY_BASE_MS * 2 ** attempt;
      assert.equal(
        backoffDelayMs(attempt, HOUR_MS, () => 0),
        full / 2,
      );
      assert.equal(
        backoffDelayMs(attempt, HOUR_MS, () => 1),
        full,
      );
      const mid = backoffDelayMs(attempt, HOUR_MS, () => 0.5) ?? 0;
      assert.ok(mid > full / 2 && mid < full);
    }
    assert.equal(
      backoffDelayMs(7, HOUR_MS, () => 0),
      undefined,
    );
    assert.equal(
      backoffDelayMs(0, 60_000, () => 1),
      30_000,
      'the shortest refresh interval still gets one retry',
    );
    assert.equal(
      backoffDelayMs(1, 60_000, () => 1),
      undefined,
    );
  });

  it('schedules one retry per URL, however many fetches fail meanwhile', async () => {
    const metadata = cache();
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    await metadata.ensure([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    assert.equal(clock.pending.length, 1);
  });

  it('falls back to the stored document when this instance has none, and names the IdP in a warning without secrets', async () => {
    await store.putMetadata(URL_WITH_TOKEN, doc(), new Date('2029-12-31T12:00:00.000Z'));
    const metadata = cache();
    const before = metadata.version();
    await metadata.ensure([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    assert.equal(metadata.get(URL_WITH_TOKEN), doc());
    assert.notEqual(metadata.version(), before, 'the registry rebuilds with it');
    const warning = logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'using the stored metadata document until the metadata URL answers again');
    assert.ok(warning !== undefined, logs.join('\n'));
    assert.equal(warning.idpId, 'corp');
    assert.equal(warning.fetchedAt, '2029-12-31T12:00:00.000Z');
    assert.equal(warning.url, 'https://idp.example/app/metadata');
    for (const secret of ['hunter2', 's3cret-t0ken'])
      assert.ok(!logs.join('\n').includes(secret), `no ${secret} in the logs`);
    assert.equal(clock.pending.length, 1, 'and retries');
  });

  it('picks up the document when a retry succeeds, stores it, and stops retrying', async () => {
    await store.putMetadata(URL_WITH_TOKEN, doc(), new Date('2029-12-31T12:00:00.000Z'));
    const metadata = cache();
    await metadata.ensure([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    serve = () => doc(fixtureKeys.idpNext);
    const before = metadata.version();
    await clock.fire();
    assert.equal(metadata.get(URL_WITH_TOKEN), doc(fixtureKeys.idpNext));
    assert.notEqual(metadata.version(), before);
    assert.deepEqual(await store.getMetadata(URL_WITH_TOKEN), { xml: doc(fixtureKeys.idpNext), fetchedAt: T0 });
    assert.equal(clock.pending.length, 0);
    const audit = await store.queryAudit({ kind: 'admin_change' });
    assert.equal(audit.length, 1, 'the certificate change against the stored document is audited');
  });

  it('stores a fresh copy of an unchanged document that came from the store, without a version change', async () => {
    await store.putMetadata(URL_WITH_TOKEN, doc(), new Date('2029-12-31T12:00:00.000Z'));
    const metadata = cache();
    await metadata.ensure([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    serve = () => doc();
    const before = metadata.version();
    await clock.fire();
    assert.equal(metadata.version(), before);
    assert.deepEqual(await store.getMetadata(URL_WITH_TOKEN), { xml: doc(), fetchedAt: T0 });
  });

  it('ignores a stored document that does not parse', async () => {
    await store.putMetadata(URL_WITH_TOKEN, '<not-metadata/>', T0);
    const metadata = cache();
    await metadata.ensure([{ url: URL_WITH_TOKEN, idpId: 'corp' }]);
    assert.equal(metadata.get(URL_WITH_TOKEN), undefined);
  });

  it('stops every pending retry on close', async () => {
    const metadata = cache();
    await metadata.refresh([
      { url: URL_WITH_TOKEN, idpId: 'a' },
      { url: 'https://other.example/m', idpId: 'b' },
    ]);
    assert.equal(clock.pending.length, 2);
    metadata.close();
    assert.equal(clock.pending.length, 0);
    await metadata.refresh([{ url: URL_WITH_TOKEN, idpId: 'a' }]);
    assert.equal(clock.pending.length, 0, 'nothing is scheduled after close');
  });
});

describe('describeUrl', () => {
  const cases: Array<[string, string]> = [
    [URL_WITH_TOKEN, 'https://idp.example/app/metadata'],
    [
      'https://login.example/federationmetadata/2007-06/federationmetadata.xml?appid=1#x',
      'https://login.example/federationmetadata/2007-06/federationmetadata.xml',
    ],
    ['http://127.0.0.1:8080/m', 'http://127.0.0.1:8080/m'],
    ['not a url', '(not a URL)'],
  ];
  for (const [url, expected] of cases) it(`logs ${url} as ${expected}`, () => assert.equal(describeUrl(url), expected));
});
