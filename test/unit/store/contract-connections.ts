// What every Store promises for what admins configure: connection records (versioned writes,
// listing, deletion, change detection), settings set or taken exactly once, and the last good
// metadata document per URL. Called from describeStoreContract.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnectionRecord } from '../../../src/store/ports.ts';
import { at, type StoreTest } from './contract-support.ts';

export function describeConnectionStoreContract(test: StoreTest): void {
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
}
