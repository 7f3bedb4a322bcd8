// What every Store promises for the audit trail beyond appending and querying: the IdP filter,
// keyset pages that carry every matching event exactly once in the query's order, pruning of the
// oldest events in bounded batches, and job locks that let one holder run at a time. Called from
// describeStoreContract.
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../../src/store/ports.ts';
import { anEvent, at, type StoreTest } from './contract-support.ts';

async function collect(pages: AsyncIterable<AuditEvent[]>): Promise<{ sizes: number[]; tags: string[] }> {
  const sizes: number[] = [];
  const tags: string[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    tags.push(...page.map((e) => e.requestId ?? '?'));
  }
  return { sizes, tags };
}

export function describeAuditStoreContract(test: StoreTest): void {
  describe('audit pages, IdP filter and pruning', () => {
    test('filters by IdP, exactly', async (store) => {
      for (const [tag, idpId] of [
        ['a', 'corp'],
        ['b', 'partner'],
        ['c', 'corp'],
        ['d', undefined],
      ] as const) {
        await store.appendAudit(anEvent({ requestId: tag, idpId }));
      }
      assert.deepEqual(
        (await store.queryAudit({ idpId: 'corp' })).map((e) => e.requestId),
        ['c', 'a'],
      );
      assert.deepEqual(
        (await store.queryAudit({ idpId: 'cor' })).map((e) => e.requestId),
        [],
      );
    });

    test('pages every matching event once, newest first, ties on time included', async (store) => {
      // Three events per instant, so page boundaries fall between events of the same time.
      for (let i = 0; i < 23; i += 1)
        await store.appendAudit(
          anEvent({ at: at(Math.floor(i / 3)), requestId: `e${i}`, outcome: i % 4 === 0 ? 'refused' : 'ok' }),
        );
      const expected = (await store.queryAudit({ limit: 1000 })).map((e) => e.requestId);
      const all = await collect(store.auditPages({}, 5));
      assert.deepEqual(all.tags, expected);
      assert.deepEqual(all.sizes, [5, 5, 5, 5, 3]);
      const refused = await collect(store.auditPages({ outcome: 'refused', from: at(1) }, 2));
      assert.deepEqual(
        refused.tags,
        (await store.queryAudit({ outcome: 'refused', from: at(1) })).map((e) => e.requestId),
      );
      assert.deepEqual((await collect(store.auditPages({ idpId: 'nope' }, 5))).sizes, []);
    });

    test('pages carry events appended before each page is read, and the limit is ignored', async (store) => {
      for (let i = 0; i < 4; i += 1) await store.appendAudit(anEvent({ at: at(10 + i), requestId: `e${i}` }));
      const seen: string[] = [];
      for await (const page of store.auditPages({ limit: 1 }, 2)) {
        seen.push(...page.map((e) => e.requestId ?? '?'));
        // Older than every event so far: the next page (keyset, not offset) finds it.
        if (seen.length === 2) await store.appendAudit(anEvent({ at: at(0), requestId: 'late-old' }));
      }
      assert.deepEqual(seen, ['e3', 'e2', 'e1', 'e0', 'late-old']);
    });

    test('prunes the oldest events before the cutoff, at most `limit` per call', async (store) => {
      for (let i = 0; i < 7; i += 1) await store.appendAudit(anEvent({ at: at(i), requestId: `e${i}` }));
      assert.equal(await store.pruneAudit(at(5), 2), 2);
      assert.deepEqual(
        (await store.queryAudit({})).map((e) => e.requestId),
        ['e6', 'e5', 'e4', 'e3', 'e2'],
      );
      assert.equal(await store.pruneAudit(at(5), 10), 3, 'the cutoff itself is kept');
      assert.equal(await store.pruneAudit(at(5), 10), 0);
      assert.deepEqual(
        (await store.queryAudit({})).map((e) => e.requestId),
        ['e6', 'e5'],
      );
    });

    test('runs a job under a lock name one holder at a time, and frees the name after it', async (store) => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = store.runExclusive('job', async () => {
        await gate;
        return 'first';
      });
      // Let the first acquire before the others try.
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(await store.runExclusive('job', async () => 'second'), { ran: false });
      assert.deepEqual(await store.runExclusive('other-job', async () => 'other'), { ran: true, value: 'other' });
      release();
      assert.deepEqual(await first, { ran: true, value: 'first' });
      assert.deepEqual(await store.runExclusive('job', async () => 'third'), { ran: true, value: 'third' });
      await assert.rejects(
        store.runExclusive('job', async () => Promise.reject(new Error('boom'))),
        /boom/,
      );
      assert.deepEqual(await store.runExclusive('job', async () => 'after a failure'), {
        ran: true,
        value: 'after a failure',
      });
    });
  });
}
