// What every Store promises for the CLI: tokens kept by hash, listed per person, revoked once,
// swept at expiry; grants taken exactly once, even when raced. Called from describeStoreContract.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { CliTokenRecord } from '../../../src/store/ports.ts';
import { at, T0, type StoreTest } from './contract-support.ts';

const aToken = (fields: Partial<CliTokenRecord> = {}): CliTokenRecord => ({
  id: 'tok-1',
  tokenHash: 'hash-1',
  idpId: 'okta',
  nameId: 'alice@example.com',
  client: 'redshift-sso CLI on laptop',
  user: '{"identity":{}}',
  createdAt: T0,
  expiresAt: at(3600),
  ...fields,
});

export function describeCliStoreContract(test: StoreTest): void {
  describe('CLI tokens', () => {
    test('finds a token by hash only, and by public ID', async (store) => {
      await store.saveCliToken(aToken());
      const found = await store.findCliToken('hash-1');
      assert.deepEqual(found, aToken());
      assert.equal(await store.findCliToken('tok-1'), null, 'the public ID is not a token');
      assert.deepEqual(await store.getCliTokenById('tok-1'), aToken());
      assert.equal(await store.getCliTokenById('nope'), null);
    });

    test("lists one person's live tokens, newest first", async (store) => {
      await store.saveCliToken(aToken());
      await store.saveCliToken(aToken({ id: 'tok-2', tokenHash: 'hash-2', createdAt: at(10) }));
      await store.saveCliToken(aToken({ id: 'tok-bob', tokenHash: 'hash-bob', nameId: 'bob@example.com' }));
      await store.saveCliToken(aToken({ id: 'tok-old', tokenHash: 'hash-old', expiresAt: at(5) }));
      await store.saveCliToken(aToken({ id: 'tok-other-idp', tokenHash: 'hash-o', idpId: 'entra' }));
      assert.deepEqual(
        (await store.listCliTokens('okta', 'alice@example.com', at(20))).map((t) => t.id),
        ['tok-2', 'tok-1'],
      );
      assert.equal(await store.revokeCliToken('tok-2', at(30)), true);
      assert.deepEqual(
        (await store.listCliTokens('okta', 'alice@example.com', at(40))).map((t) => t.id),
        ['tok-1'],
      );
    });

    test('revokes once and keeps the revoked row until it expires', async (store) => {
      await store.saveCliToken(aToken());
      assert.equal(await store.revokeCliToken('tok-1', at(10)), true);
      assert.equal(await store.revokeCliToken('tok-1', at(20)), false);
      assert.equal(await store.revokeCliToken('unknown', at(20)), false);
      assert.equal((await store.findCliToken('hash-1'))?.revokedAt?.getTime(), at(10).getTime());
      await store.touchCliToken('tok-1', at(15));
      assert.equal((await store.findCliToken('hash-1'))?.lastUsedAt?.getTime(), at(15).getTime());
    });

    test('refuses a second token with the same hash', async (store) => {
      await store.saveCliToken(aToken());
      await assert.rejects(store.saveCliToken(aToken({ id: 'tok-2' })));
    });
  });

  describe('CLI grants', () => {
    test('stores, replaces and takes a grant exactly once', async (store) => {
      assert.equal(await store.getCliGrant('code:a'), null);
      await store.putCliGrant('code:a', 'v1', at(60));
      await store.putCliGrant('code:a', 'v2', at(60));
      assert.equal(await store.getCliGrant('code:a'), 'v2');
      assert.equal(await store.takeCliGrant('code:a'), 'v2');
      assert.equal(await store.takeCliGrant('code:a'), null);
      assert.equal(await store.getCliGrant('code:a'), null);
    });

    test('lets exactly one of 10 concurrent takers redeem a grant', async (store) => {
      await store.putCliGrant('code:raced', 'v', at(60));
      const results = await Promise.all(Array.from({ length: 10 }, () => store.takeCliGrant('code:raced')));
      assert.equal(results.filter((r) => r === 'v').length, 1);
    });

    test('sweeps expired grants and tokens, keeps live ones', async (store) => {
      await store.putCliGrant('old', 'x', at(10));
      await store.putCliGrant('live', 'x', at(1000));
      await store.saveCliToken(aToken({ expiresAt: at(20) }));
      await store.saveCliToken(aToken({ id: 'tok-live', tokenHash: 'hash-live', expiresAt: at(1000) }));
      assert.equal(await store.sweepExpired(at(100)), 2);
      assert.equal(await store.getCliGrant('live'), 'x');
      assert.equal(await store.findCliToken('hash-1'), null);
      assert.notEqual(await store.findCliToken('hash-live'), null);
    });
  });
}
