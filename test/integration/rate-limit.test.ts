// Floods get a clear 429 with Retry-After, per client and per bucket; an IPv6 client is its subnet.
// The app trusts a proxy on loopback, as deployed behind one on the same host; supertest connects
// from loopback and says who the client is in X-Forwarded-For, as that proxy would.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { App } from '../../src/app.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-postgres.ts';
import { createLogger } from '../../src/logger.ts';
import { buildBareApp } from '../support/app-harness.ts';

function build(store?: Store) {
  const server = { trustProxy: 'loopback', rateLimit: { windowSeconds: 60, login: 3, acs: 2, api: 2 } };
  return buildBareApp({ baseUrl: 'http://sso.example.com', server }, store === undefined ? {} : { store });
}

const postAcs = (app: App['app'], ip: string) =>
  request(app)
    .post('/saml/acs/corp')
    .set('x-forwarded-for', ip)
    .set('accept', 'application/json')
    .type('form')
    .send({ SAMLResponse: 'bm90IHhtbA==' });

describe('rate limits', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a client exceeds the ACS limit', async () => {
    const { app, close } = build();
    const post = () => postAcs(app, '198.51.100.7');
    assert.equal((await post()).status, 400);
    assert.equal((await post()).status, 400);
    const limited = await post();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const other = await postAcs(app, '198.51.100.8');
    assert.equal(other.status, 400, 'another client is not affected');
    await close();
  });

  it('gives the addresses of one IPv6 /64 one budget, and another network its own', async () => {
    const { app, close } = build();
    const post = (ip: string) => postAcs(app, ip);
    assert.equal((await post('2001:db8:1:2::1')).status, 400);
    assert.equal((await post('2001:db8:1:2::2')).status, 400);
    const limited = await post('2001:db8:1:2:ffff:ffff:ffff:3');
    assert.equal(limited.status, 429, 'a third address of the same /64 shares the budget');
    assert.equal(limited.body.error.code, 'RATE_LIMITED');
    assert.equal((await post('2001:db8:ff::1')).status, 400, 'another network is not affected');
    assert.equal((await post('198.51.100.10')).status, 400, 'nor an IPv4 client');
    await close();
  });

  it('limits sign-in starts and API calls in their own buckets', async () => {
    const { app, close } = build();
    for (let i = 0; i < 3; i++)
      assert.equal((await request(app).get('/login/corp').set('x-forwarded-for', '198.51.100.9')).status, 302);
    assert.equal((await request(app).get('/login/corp').set('x-forwarded-for', '198.51.100.9')).status, 429);
    for (let i = 0; i < 2; i++)
      assert.equal((await request(app).get('/api/me').set('x-forwarded-for', '198.51.100.9')).status, 401);
    assert.equal((await request(app).get('/api/me').set('x-forwarded-for', '198.51.100.9')).status, 429);
    await close();
  });
});

// Two apps on one database stand for two instances on PostgreSQL, or two workers on one SQLite file.
const sharedStores: Array<{
  name: string;
  open: () => Promise<{ stores: [Store, Store]; drop: () => Promise<void> }>;
}> = [
  {
    name: 'a PostgreSQL store',
    open: async () => {
      const database: TestDatabase = await createTestDatabase('redshift_sso_limits');
      return {
        stores: [await openPostgresStore(database.url), await openPostgresStore(database.url)],
        drop: () => database.drop(),
      };
    },
  },
  {
    name: 'one SQLite file shared by workers',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'redshift-sso-limits-'));
      const url = `sqlite:${join(dir, 'store.db')}`;
      const stores: [Store, Store] = [
        openSqliteStore(url, { sharedRateLimits: true }),
        openSqliteStore(url, { sharedRateLimits: true }),
      ];
      return { stores, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

for (const shared of sharedStores)
  describe(`rate limits on ${shared.name}`, () => {
    let drop: (() => Promise<void>) | undefined;
    let a: App;
    let b: App;
    before(async () => {
      const opened = await shared.open();
      drop = opened.drop;
      a = build(opened.stores[0]);
      b = build(opened.stores[1]);
    });
    after(async () => {
      await a?.close();
      await b?.close();
      await drop?.();
    });

    it('shares one budget per client between two instances on the database', async () => {
      assert.equal((await postAcs(a.app, '198.51.100.20')).status, 400);
      assert.equal((await postAcs(b.app, '198.51.100.20')).status, 400);
      for (const instance of [a, b]) {
        const limited = await postAcs(instance.app, '198.51.100.20');
        assert.equal(limited.status, 429, 'the third response from this client is refused on either instance');
        assert.equal(limited.body.error.code, 'RATE_LIMITED');
        assert.ok(Number(limited.headers['retry-after']) >= 1);
      }
      assert.equal((await postAcs(b.app, '198.51.100.21')).status, 400, 'another client is not affected');
      assert.equal((await postAcs(a.app, '2001:db8:7:7::1')).status, 400);
      assert.equal((await postAcs(b.app, '2001:db8:7:7::2')).status, 400);
      assert.equal((await postAcs(a.app, '2001:db8:7:7::3')).status, 429, 'one /64 is one client across instances too');
    });

    it('counts concurrent hits without losing any, and sweeps ended windows', async () => {
      const counters = a.store.rateLimits;
      assert.ok(counters !== undefined, 'the store shares its counters');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).store.rateLimits?.incrementHit('test:concurrent', 60_000),
        ),
      );
      assert.deepEqual(
        results.map((r) => r?.hits).sort((x, y) => (x ?? 0) - (y ?? 0)),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      await counters.incrementHit('test:ended', 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok((await a.store.sweepExpired(new Date())) >= 1, 'the ended window is swept');
      assert.equal((await counters.incrementHit('test:ended', 60_000)).hits, 1, 'a new window starts at 1');
      assert.equal((await counters.incrementHit('test:concurrent', 60_000)).hits, 21, 'a live window is kept');
    });
  });

describe('server.trustProxy at start-up', () => {
  const startupWarnings = (server: Record<string, unknown>, mode: 'production' | 'development'): string[] => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    void buildBareApp({ baseUrl: 'http://localhost:3000', mode, server }, { logger }).close();
    return lines
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((l) => l.level === 40 && /trustProxy/.test(l.msg))
      .map((l) => l.msg);
  };

  it('warns in production when every proxy is trusted, since any client can then forge its address', () => {
    const [warning, ...more] = startupWarnings({ trustProxy: true }, 'production');
    assert.match(
      warning ?? '',
      /server\.trustProxy is true: every client can forge X-Forwarded-For and pick its own rate-limit key and audited IP/,
    );
    assert.deepEqual(more, []);
  });

  it('says nothing for a hop count, proxy addresses, or in development', () => {
    assert.deepEqual(startupWarnings({ trustProxy: 1 }, 'production'), []);
    assert.deepEqual(startupWarnings({ trustProxy: 'loopback, 10.0.0.0/8' }, 'production'), []);
    assert.deepEqual(startupWarnings({ trustProxy: true }, 'development'), []);
  });
});
