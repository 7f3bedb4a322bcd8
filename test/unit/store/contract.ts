// What every Store implementation promises, run against each one (SQLite here, PostgreSQL in
// test/integration/store/): sessions, AuthnRequest IDs, the one-time-use cache, the audit log and
// its filters, admin connection records and settings, sweeping; races included. `open` gives an empty store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../../src/store/ports.ts';
import { anEvent, at, T0, type StoreTest } from './contract-support.ts';
import { describeSessionStoreContract } from './contract-sessions.ts';
import { describeAuditLogStoreContract } from './contract-audit-log.ts';
import { describeConnectionStoreContract } from './contract-connections.ts';
import { describeCliStoreContract } from './contract-cli.ts';
import { describeAuditStoreContract } from './contract-audit.ts';

export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  const test: StoreTest = (title, fn) =>
    it(title, async () => {
      const store = await open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });

  describe(`Store contract: ${name}`, () => {
    describeSessionStoreContract(test);
    describeAuditLogStoreContract(test);
    describeConnectionStoreContract(test);
    describeCliStoreContract(test);
    describeAuditStoreContract(test);

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
