// What every Store promises for appending to and querying the audit log: events as appended, the
// filters and their combinations, newest first, limits. Pages, the IdP filter and pruning are in
// contract-audit.ts. Called from describeStoreContract.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent, AuditFilter, Store } from '../../../src/store/ports.ts';
import { anEvent, at, type StoreTest } from './contract-support.ts';

/** Appends in parallel batches: order between events comes from `at`, not from append order. */
async function appendAll(store: Store, events: AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 50)
    await Promise.all(events.slice(i, i + 50).map((e) => store.appendAudit(e)));
}

const tags = async (store: Store, filter: AuditFilter): Promise<string[]> =>
  (await store.queryAudit(filter)).map((e) => e.requestId ?? '?');

export function describeAuditLogStoreContract(test: StoreTest): void {
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
}
