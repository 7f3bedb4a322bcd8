// What every Store promises for sign-in state: sessions (exact data, expiry, touch), AuthnRequest
// IDs (removed once), and the one-time-use cache, with races. Called from describeStoreContract.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { at, T0, type StoreTest } from './contract-support.ts';

export function describeSessionStoreContract(test: StoreTest): void {
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
}
