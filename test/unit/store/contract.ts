// What every Store implementation promises, run against each one (SQLite here, PostgreSQL in
// test/integration/store/): sessions, AuthnRequest IDs, the one-time-use cache, the audit log and
// its filters, admin connection records and settings, sweeping; races included. `open` gives an empty store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent, AuditFilter, ConnectionRecord, Store } from '../../../src/store/ports.ts';
import { describeCliStoreContract } from './contract-cli.ts';
import { describeAuditStoreContract } from './contract-audit.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const anEvent = (fields: Partial<AuditEvent> = {}): AuditEvent => ({ at: T0, kind: 'login', outcome: 'ok', ...fields });

/** Appends in parallel batches: order between events comes from `at`, not from append order. */
async function appendAll(store: Store, events: AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 50)
    await Promise.all(events.slice(i, i + 50).map((e) => store.appendAudit(e)));
}

const tags = async (store: Store, filter: AuditFilter): Promise<string[]> =>
  (await store.queryAudit(filter)).map((e) => e.requestId ?? '?');

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  const test = (title: string, fn: (store: Store) => Promise<void>) =>
    it(title, async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });

  describe(`Store contract: ${name}`, () => {
    describe('sessions', () => {
      test('stores, replaces and destroys a session', async (store) => {
        assert.equal(await store.getSession('sid-1', T0), null);
        await store.setSession('sid-1', '{"v":1}', at(60));
        assert.equal(await store.getSession('sid-1', T0), '{"v":1}');
        await store.setSession('sid-1', '{"v":2}', at(60));
        assert.equal(await store.getSession('sid-1', T0), '{"v":2}');
        assert.equal(await store.getSession('sid-2', T0), null);
        await store.destroySession('sid-1');
        assert.equal(await store.getSession('sid-1', T0), null);
        await store.destroySession('never-existed');
      });

      test('returns session data exactly as written', async (store) => {
        const samples = ['{ "z": 1,  "a": "é ✓ 😀 \\u0000" }', 'not json at all', 'x'.repeat(100_000)];
        for (const [i, data] of samples.entries()) {
          await store.setSession(`sid-${i}`, data, at(60));
          assert.equal(await store.getSession(`sid-${i}`, T0), data);
        }
      });

      test('hides a session from its expiry on', async (store) => {
        await store.setSession('sid', 'data', at(60));
        assert.equal(await store.getSession('sid', at(59)), 'data');
        assert.equal(await store.getSession('sid', at(60)), null);
        assert.equal(await store.getSession('sid', at(3600)), null);
      });

      test('extends a session with touch, and ignores an unknown one', async (store) => {
        await store.setSession('sid', 'data', at(60));
        await store.touchSession('sid', at(600));
        assert.equal(await store.getSession('sid', at(300)), 'data');
        assert.equal(await store.getSession('sid', at(600)), null);
        await store.touchSession('unknown', at(600));
        assert.equal(await store.getSession('unknown', T0), null);
      });
    });

    describe('request IDs', () => {
      test('saves, replaces, reads and removes; remove returns the value once', async (store) => {
        await store.saveRequestId('_req1', 'first', at(600));
        await store.saveRequestId('_req1', '2030-01-01T00:00:00Z', at(600));
        assert.equal(await store.getRequestId('_req1', T0), '2030-01-01T00:00:00Z');
        assert.equal(await store.getRequestId('_other', T0), null);
        assert.equal(await store.removeRequestId('_req1'), '2030-01-01T00:00:00Z');
        assert.equal(await store.removeRequestId('_req1'), null);
        assert.equal(await store.getRequestId('_req1', T0), null);
        assert.equal(await store.removeRequestId('_never'), null);
      });

      test('hides a request ID from its expiry on', async (store) => {
        await store.saveRequestId('_req', 'v', at(600));
        assert.equal(await store.getRequestId('_req', at(599)), 'v');
        assert.equal(await store.getRequestId('_req', at(600)), null);
      });

      test('hands the value to exactly one of 10 concurrent removals', async (store) => {
        await store.saveRequestId('_raced', 'v', at(600));
        const results = await Promise.all(Array.from({ length: 10 }, () => store.removeRequestId('_raced')));
        assert.deepEqual(
          results.filter((r) => r !== null),
          ['v'],
        );
      });

      test('take: the value once, never an expired one, and to exactly one of 10 concurrent takers', async (store) => {
        await store.saveRequestId('_take', 'v', at(600));
        assert.equal(await store.takeRequestId('_take', at(599)), 'v');
        assert.equal(await store.takeRequestId('_take', at(1)), null);
        assert.equal(await store.getRequestId('_take', T0), null);
        await store.saveRequestId('_late', 'v', at(600));
        assert.equal(await store.takeRequestId('_late', at(600)), null);
        assert.equal(await store.takeRequestId('_never', T0), null);
        await store.saveRequestId('_raced-take', 'v', at(600));
        const results = await Promise.all(Array.from({ length: 10 }, () => store.takeRequestId('_raced-take', T0)));
        assert.deepEqual(
          results.filter((r) => r !== null),
          ['v'],
        );
      });
    });

    describe('replay cache', () => {
      test('remembers a key once until it expires, then again', async (store) => {
        assert.equal(await store.rememberOnce('corp:_a1', at(300), T0), true);
        assert.equal(await store.rememberOnce('corp:_a1', at(300), at(10)), false);
        assert.equal(await store.rememberOnce('corp:_a1', at(900), at(299)), false);
        assert.equal(await store.rememberOnce('other:_a1', at(300), T0), true);
        assert.equal(await store.rememberOnce('corp:_a1', at(900), at(300)), true);
        // Revived with the new expiry.
        assert.equal(await store.rememberOnce('corp:_a1', at(900), at(600)), false);
        assert.equal(await store.rememberOnce('corp:_a1', at(1200), at(900)), true);
      });

      test('lets exactly one of 20 concurrent calls remember a new key', async (store) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.rememberOnce('corp:_raced', at(300), T0)),
        );
        assert.equal(results.filter((r) => r).length, 1);
      });

      test('lets exactly one of 20 concurrent calls revive an expired key', async (store) => {
        assert.equal(await store.rememberOnce('corp:_old', at(10), T0), true);
        const results = await Promise.all(
          Array.from({ length: 20 }, () => store.rememberOnce('corp:_old', at(900), at(100))),
        );
        assert.equal(results.filter((r) => r).length, 1);
        assert.equal(await store.rememberOnce('corp:_old', at(900), at(899)), false);
      });
    });

    describe('audit log', () => {
      test('returns an event as appended, with an id and dates as Date', async (store) => {
        const event: AuditEvent = {
          at: at(5),
          kind: 'credentials_issued',
          outcome: 'ok',
          code: 'OK_CODE',
          idpId: 'corp',
          nameId: 'alice@example.com',
          roleArn: 'arn:aws:iam::123456789012:role/analyst',
          clusterId: 'analytics',
          dbUser: 'alice',
          durationSeconds: 900,
          expiresAt: at(905),
          clientIp: '192.0.2.10',
          userAgent: 'Mozilla/5.0',
          awsRequestIds: ['req-sts', 'req-redshift'],
          requestId: 'r-1',
          actor: 'admin@example.com',
          details: { before: { n: 1, list: [1, 'two'] }, after: null, note: 'é ✓' },
        };
        await store.appendAudit(event);
        const [found, ...rest] = await store.queryAudit({});
        assert.equal(rest.length, 0);
        assert.ok(found);
        assert.equal(typeof found.id, 'number');
        assert.ok(found.at instanceof Date);
        assert.ok(found.expiresAt instanceof Date);
        assert.deepEqual(found, { ...event, id: found.id });
      });

      test('leaves fields out that were not given', async (store) => {
        await store.appendAudit(anEvent({ kind: 'logout' }));
        const [found] = await store.queryAudit({});
        assert.ok(found);
        assert.equal(found.kind, 'logout');
        for (const key of ['expiresAt', 'code', 'nameId', 'dbUser', 'awsRequestIds', 'details'] as const)
          assert.equal(found[key], undefined, key);
      });

      test('writes an event whose text holds control characters, NUL included', async (store) => {
        const odd = 'agent\u0000with\tcontrols\u001b';
        await store.appendAudit(anEvent({ nameId: odd, userAgent: odd, details: { note: odd } }));
        const [found] = await store.queryAudit({ user: 'agent' });
        assert.ok(found);
        // PostgreSQL cannot store NUL and writes U+FFFD in its place.
        const restored = (text: unknown) => (typeof text === 'string' ? text.replaceAll('\uFFFD', '\u0000') : text);
        assert.equal(restored(found.nameId), odd);
        assert.equal(restored(found.userAgent), odd);
        assert.equal(restored(found.details?.note), odd);
      });

      test('gives each event a larger id than the one before', async (store) => {
        for (const tag of ['a', 'b', 'c']) await store.appendAudit(anEvent({ requestId: tag }));
        const ids = (await store.queryAudit({})).map((e) => e.id ?? -1);
        assert.deepEqual(
          ids,
          [...ids].sort((x, y) => y - x),
        );
        assert.equal(new Set(ids).size, 3);
      });

      test('returns newest first; at the same instant, the later append first', async (store) => {
        for (const [tag, s] of [
          ['b', 10],
          ['c', 30],
          ['x', 20],
          ['d', 30],
          ['a', 0],
        ] as const)
          await store.appendAudit(anEvent({ at: at(s), requestId: tag }));
        assert.deepEqual(await tags(store, {}), ['d', 'c', 'x', 'b', 'a']);
      });

      test('filters by user: case-insensitive substring of nameId or dbUser, wildcards taken literally', async (store) => {
        const people: Array<[string, Partial<AuditEvent>]> = [
          ['alice', { nameId: 'Alice.Smith@example.com', dbUser: 'asmith' }],
          ['bob', { nameId: 'bob@example.com', dbUser: 'ADMIN_BOB' }],
          ['percent', { nameId: '100%club@example.com', dbUser: 'pct' }],
          ['underscore', { nameId: 'under_score@example.com' }],
          ['backslash', { nameId: 'CORP\\carol', dbUser: 'carol' }],
          ['bang', { nameId: 'hey!you@example.com' }],
          ['nobody', { kind: 'admin_change' }],
        ];
        await appendAll(
          store,
          people.map(([tag, fields], i) => anEvent({ ...fields, at: at(i), requestId: tag })),
        );
        const cases: Array<[string, string[]]> = [
          ['ALICE', ['alice']],
          ['SMITH', ['alice']],
          ['admin', ['bob']],
          ['EXAMPLE.com', ['bang', 'underscore', 'percent', 'bob', 'alice']],
          ['%', ['percent']],
          ['0%c', ['percent']],
          ['_', ['underscore', 'bob']],
          ['b_b', []],
          ['a%h', []],
          ['\\', ['backslash']],
          ['\\C', ['backslash']],
          ['!', ['bang']],
          ['!y', ['bang']],
          ["'; DROP TABLE audit_log; --", []],
          ['nobody', []],
        ];
        for (const [user, expected] of cases)
          assert.deepEqual(await tags(store, { user }), expected, `user ${JSON.stringify(user)}`);
        assert.equal((await store.queryAudit({})).length, people.length);
      });

      test('filters by cluster, outcome and kind, and combines filters with AND', async (store) => {
        await appendAll(store, [
          anEvent({
            at: at(1),
            requestId: 'issued-a',
            kind: 'credentials_issued',
            clusterId: 'analytics',
            nameId: 'alice',
          }),
          anEvent({
            at: at(2),
            requestId: 'refused-a',
            kind: 'credentials_refused',
            outcome: 'refused',
            code: 'ROLE_NOT_PERMITTED',
            clusterId: 'analytics',
            nameId: 'bob',
          }),
          anEvent({
            at: at(3),
            requestId: 'issued-b',
            kind: 'credentials_issued',
            clusterId: 'billing',
            nameId: 'alice',
          }),
          anEvent({
            at: at(4),
            requestId: 'error-b',
            kind: 'credentials_issued',
            outcome: 'error',
            clusterId: 'billing',
            nameId: 'bob',
          }),
          anEvent({ at: at(5), requestId: 'login', kind: 'login', nameId: 'alice' }),
        ]);
        assert.deepEqual(await tags(store, { clusterId: 'analytics' }), ['refused-a', 'issued-a']);
        assert.deepEqual(await tags(store, { clusterId: 'nope' }), []);
        assert.deepEqual(await tags(store, { outcome: 'ok' }), ['login', 'issued-b', 'issued-a']);
        assert.deepEqual(await tags(store, { outcome: 'refused' }), ['refused-a']);
        assert.deepEqual(await tags(store, { kind: 'credentials_issued' }), ['error-b', 'issued-b', 'issued-a']);
        assert.deepEqual(await tags(store, { kind: 'logout' }), []);
        assert.deepEqual(await tags(store, { kind: 'credentials_issued', outcome: 'ok', clusterId: 'billing' }), [
          'issued-b',
        ]);
        assert.deepEqual(await tags(store, { user: 'alice', kind: 'credentials_issued', from: at(2) }), ['issued-b']);
      });

      test('filters by time: from inclusive, to exclusive', async (store) => {
        await appendAll(
          store,
          [10, 20, 30, 40].map((s) => anEvent({ at: at(s), requestId: `t${s}` })),
        );
        assert.deepEqual(await tags(store, { from: at(20) }), ['t40', 't30', 't20']);
        assert.deepEqual(await tags(store, { to: at(30) }), ['t20', 't10']);
        assert.deepEqual(await tags(store, { from: at(20), to: at(40) }), ['t30', 't20']);
        assert.deepEqual(await tags(store, { from: at(21), to: at(29) }), []);
        assert.deepEqual(await tags(store, { from: new Date(at(20).getTime() + 1) }), ['t40', 't30']);
      });

      test('returns at most `limit` events, the newest', async (store) => {
        await appendAll(
          store,
          [1, 2, 3, 4, 5].map((s) => anEvent({ at: at(s), requestId: `t${s}` })),
        );
        assert.deepEqual(await tags(store, { limit: 2 }), ['t5', 't4']);
        assert.deepEqual(await tags(store, { limit: 1, from: at(2), to: at(4) }), ['t3']);
      });

      test('returns 100 events by default and never more than 10,000', async (store) => {
        await appendAll(
          store,
          Array.from({ length: 10_001 }, (_, i) => anEvent({ at: at(i), requestId: `t${i}` })),
        );
        const byDefault = await tags(store, {});
        assert.equal(byDefault.length, 100);
        assert.equal(byDefault[0], 't10000');
        assert.equal(byDefault[99], 't9901');
        const capped = await tags(store, { limit: 50_000 });
        assert.equal(capped.length, 10_000);
        assert.equal(capped[0], 't10000');
        assert.equal(capped[9_999], 't1');
      });
    });

    describe('connection records', () => {
      const idp = (id: string, entry: Record<string, unknown>, seconds = 0): Omit<ConnectionRecord, 'version'> => ({
        kind: 'idp',
        id,
        entry,
        updatedAt: at(seconds),
        updatedBy: 'admin@example.com',
      });

      test('inserts at version 0, replaces at the current version, lists by kind in id order', async (store) => {
        assert.deepEqual(await store.listConnections('idp'), []);
        assert.equal(await store.putConnection(idp('okta', { z: 1, a: { b: [1, 'two'] } }), 0), true);
        assert.equal(await store.putConnection(idp('azure', { name: 'Azure' }), 0), true);
        assert.equal(
          await store.putConnection({ ...idp('analytics', { region: 'eu-west-1' }), kind: 'cluster' }, 0),
          true,
        );
        assert.equal(await store.putConnection(idp('okta', { name: 'Okta v2' }, 60), 1), true);

        const idps = await store.listConnections('idp');
        assert.deepEqual(
          idps.map((r) => [r.id, r.version]),
          [
            ['azure', 1],
            ['okta', 2],
          ],
        );
        const okta = idps[1];
        assert.ok(okta);
        assert.deepEqual(okta, {
          kind: 'idp',
          id: 'okta',
          entry: { name: 'Okta v2' },
          version: 2,
          updatedAt: at(60),
          updatedBy: 'admin@example.com',
        });
        assert.ok(okta.updatedAt instanceof Date);
        assert.deepEqual(
          (await store.listConnections('cluster')).map((r) => r.id),
          ['analytics'],
        );
      });

      test('keeps an entry exactly as given, key order included', async (store) => {
        const entry = { zeta: 1, alpha: { nested: [3, 1, 2], empty: {} }, mid: null, text: 'é ✓ \u0000' };
        await store.putConnection(idp('okta', entry), 0);
        const [found] = await store.listConnections('idp');
        assert.equal(JSON.stringify(found?.entry), JSON.stringify(entry));
      });

      test('refuses an insert over an existing record and an update at a stale or missing version', async (store) => {
        assert.equal(await store.putConnection(idp('okta', { v: 1 }), 0), true);
        assert.equal(await store.putConnection(idp('okta', { v: 'again' }), 0), false);
        assert.equal(await store.putConnection(idp('okta', { v: 2 }), 1), true);
        assert.equal(await store.putConnection(idp('okta', { v: 'stale' }), 1), false);
        assert.equal(await store.putConnection(idp('ghost', { v: 1 }), 1), false);
        const records = await store.listConnections('idp');
        assert.deepEqual(
          records.map((r) => [r.id, r.version, r.entry]),
          [['okta', 2, { v: 2 }]],
        );
      });

      test('lets exactly one of 10 concurrent writers at the same version win', async (store) => {
        const inserts = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.putConnection(idp('okta', { writer: i }), 0)),
        );
        assert.equal(inserts.filter((r) => r).length, 1);
        const updates = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.putConnection(idp('okta', { writer: i }), 1)),
        );
        assert.equal(updates.filter((r) => r).length, 1);
        assert.equal((await store.listConnections('idp'))[0]?.version, 2);
      });

      test('deletes a record once', async (store) => {
        await store.putConnection(idp('okta', {}), 0);
        assert.equal(await store.deleteConnection('cluster', 'okta'), false);
        assert.equal(await store.deleteConnection('idp', 'okta'), true);
        assert.equal(await store.deleteConnection('idp', 'okta'), false);
        assert.deepEqual(await store.listConnections('idp'), []);
        assert.equal(await store.putConnection(idp('okta', {}), 0), true);
      });

      test('changes connectionsVersion on every change and only then', async (store) => {
        const seen = [await store.connectionsVersion()];
        const expectChange = async (changed: boolean) => {
          const version = await store.connectionsVersion();
          assert.equal(seen.includes(version), !changed, `version ${version} after ${seen.join(',')}`);
          if (changed) seen.push(version);
        };
        await store.putConnection(idp('okta', {}), 0);
        await expectChange(true);
        await store.putConnection(idp('okta', {}), 0);
        await expectChange(false);
        await store.putConnection(idp('okta', { v: 2 }), 1);
        await expectChange(true);
        await store.putConnection(idp('okta', {}), 1);
        await expectChange(false);
        await store.deleteConnection('idp', 'okta');
        await expectChange(true);
        await store.deleteConnection('idp', 'okta');
        await expectChange(false);
      });
    });

    describe('settings', () => {
      test('sets a value once, keeps the first, and can delete it', async (store) => {
        assert.equal(await store.getSetting('bootstrap'), null);
        assert.equal(await store.setSettingOnce('bootstrap', 'first'), true);
        assert.equal(await store.setSettingOnce('bootstrap', 'second'), false);
        assert.equal(await store.getSetting('bootstrap'), 'first');
        await store.deleteSetting('bootstrap');
        await store.deleteSetting('never-set');
        assert.equal(await store.getSetting('bootstrap'), null);
        assert.equal(await store.setSettingOnce('bootstrap', 'third'), true);
        assert.equal(await store.getSetting('bootstrap'), 'third');
      });

      test('takes a value only when it still holds that value, for exactly one of 10 concurrent calls', async (store) => {
        assert.equal(await store.takeSetting('one-time', 'v'), false, 'nothing to take');
        await store.setSettingOnce('one-time', 'v');
        assert.equal(await store.takeSetting('one-time', 'other'), false, 'another value is not taken');
        assert.equal(await store.getSetting('one-time'), 'v');
        const results = await Promise.all(Array.from({ length: 10 }, () => store.takeSetting('one-time', 'v')));
        assert.equal(results.filter((r) => r).length, 1);
        assert.equal(await store.getSetting('one-time'), null);
      });

      test('lets exactly one of 10 concurrent calls set a value', async (store) => {
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.setSettingOnce('raced', `v${i}`)));
        const winner = results.findIndex((r) => r);
        assert.equal(results.filter((r) => r).length, 1);
        assert.equal(await store.getSetting('raced'), `v${winner}`);
      });
    });

    describeCliStoreContract(test);
    describeAuditStoreContract(test);
    describe('metadata documents', () => {
      test('keeps the newest document per URL and leaves it to the sweep', async (store) => {
        const url = 'https://idp.example/metadata';
        assert.equal(await store.getMetadata(url), null);
        await store.putMetadata(url, '<first/>', at(10));
        assert.deepEqual(await store.getMetadata(url), { xml: '<first/>', fetchedAt: at(10) });
        await store.putMetadata(url, '<second/>', at(20));
        await store.putMetadata(url, '<late-writer/>', at(15));
        assert.deepEqual(
          await store.getMetadata(url),
          { xml: '<second/>', fetchedAt: at(20) },
          'an older fetch does not overwrite a newer one',
        );
        await store.putMetadata('https://other.example/metadata', '<other/>', at(5));
        assert.equal((await store.getMetadata(url))?.xml, '<second/>');
        assert.equal(await store.sweepExpired(at(1_000_000)), 0, 'a last good document never expires');
        assert.equal((await store.getMetadata(url))?.xml, '<second/>');
      });
    });

    describe('sweepExpired', () => {
      test('counts nothing on an empty store', async (store) => {
        assert.equal(await store.sweepExpired(at(100)), 0);
      });

      test('deletes expired rows of every kind, counts them, and keeps the audit log', async (store) => {
        await store.setSession('old-1', 'x', at(10));
        await store.setSession('old-2', 'x', at(20));
        await store.setSession('live', 'x', at(1000));
        await store.saveRequestId('_old', 'x', at(30));
        await store.saveRequestId('_live', 'x', at(1000));
        await store.rememberOnce('old', at(40), T0);
        await store.rememberOnce('edge', at(100), T0);
        await store.rememberOnce('live', at(1000), T0);
        await store.appendAudit(anEvent({ at: T0, expiresAt: at(1) }));
        await store.putConnection({ kind: 'idp', id: 'okta', entry: {}, updatedAt: T0, updatedBy: 'admin' }, 0);
        await store.setSettingOnce('setting', 'kept');

        assert.equal(await store.sweepExpired(at(100)), 5);
        assert.equal(await store.sweepExpired(at(100)), 0);
        assert.equal(await store.getSession('live', at(100)), 'x');
        assert.equal(await store.getRequestId('_live', at(100)), 'x');
        assert.equal(await store.removeRequestId('_old'), null);
        assert.equal(await store.rememberOnce('live', at(2000), at(100)), false);
        assert.equal(await store.sweepExpired(at(5000)), 3);
        assert.equal((await store.queryAudit({})).length, 1);
        assert.equal((await store.listConnections('idp')).length, 1);
        assert.equal(await store.getSetting('setting'), 'kept');
      });
    });
  });
}
