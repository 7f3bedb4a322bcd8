// The config fuzzer's own generator: a change that turned a container (idps, a cluster) into an
// exotic value must not make the next change, which writes into it, throw inside the generator.
// That once failed the fuzz run about one time in twenty.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nearlyValidConfig, setPath } from './support-config-fuzz.ts';

const exotic: Array<{ name: string; make: () => unknown }> = [
  { name: 'an empty typed array', make: () => new Uint8Array(0) },
  { name: 'a typed array', make: () => new Float64Array(2) },
  { name: 'a boxed string', make: () => new String('ab') },
  { name: 'a frozen object', make: () => Object.freeze({ id: 'x' }) },
  { name: 'a frozen array', make: () => Object.freeze([{}]) },
  { name: 'a non-extensible array', make: () => Object.preventExtensions([]) },
  { name: 'a Map', make: () => new Map([[0, {}]]) },
  { name: 'a Date', make: () => new Date(0) },
];

describe('setPath (config fuzz generator)', () => {
  for (const c of exotic) {
    it(`writes through ${c.name} standing where a container was`, () => {
      for (const path of [
        ['idps', 0],
        ['idps', 0, 'id'],
        ['idps', 1, 'id'],
        ['clusters', 0, 'roles'],
      ] as const) {
        const root: Record<string, unknown> = { idps: c.make(), clusters: c.make() };
        setPath(root, path, 'changed');
        let node: unknown = root;
        for (const key of path) node = (node as Record<string | number, unknown>)[key];
        assert.equal(node, 'changed', path.join('.'));
      }
    });
  }

  it('keeps plain containers and what is already in them', () => {
    const root: Record<string, unknown> = { idps: [{ id: 'a', name: 'A' }] };
    setPath(root, ['idps', 0, 'id'], 'b');
    assert.deepEqual(root, { idps: [{ id: 'b', name: 'A' }] });
  });

  it('generates nearly valid configs without throwing', () => {
    assert.equal(fc.sample(nearlyValidConfig, { numRuns: 3000 }).length, 3000);
  });
});
