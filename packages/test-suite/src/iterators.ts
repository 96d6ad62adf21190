/**
 * docs/api.md, "Methods": `all(group)`, an async iterator of `{ key, value }`, and `groupsSeq(prefix)`, the
 * async-iterator form of `groups`.
 */
import { InvalidArgumentError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect } from './event-shapes.js';
import { defineSuite, type Harness, withStore } from './support.js';
import { byCodePoint } from './values.js';

export function iteratorsSuite(h: Harness): void {
  const test = defineSuite(h, 'iterators');

  test('all: yields { key, value } for each pair of the group and no other group', () =>
    withStore(h, async (store) => {
      await store.set('g', 'b', '2');
      await store.set('g', 'a', '1');
      await store.set('g', 'c', '3');
      await store.set('g2', 'a', 'other');
      await store.set('', 'a', 'other');
      const iterable = store.all('g');
      assert.type(iterable[Symbol.asyncIterator], 'function', 'all() returns an async iterable');
      const pairs = await collect(iterable);
      assert.equal(
        [...pairs].sort((x, y) => byCodePoint(x.key, y.key)),
        [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ],
      );
    }));

  test('all: an empty or missing group yields nothing', () =>
    withStore(h, async (store) => {
      assert.equal(await collect(store.all('nowhere')), []);
      await store.set('g', 'k', 'v');
      await store.delete('g', 'k');
      assert.equal(await collect(store.all('g')), []);
    }));

  test('all: a large group yields every pair exactly once', async () => {
    const n = h.slow ? 2_345 : 250;
    await withStore(h, async (store) => {
      const entries: Array<[string, string]> = [];
      for (let i = 0; i < n; i++) entries.push([`key-${i}`, `value-${i}`]);
      await store.setMany('big', entries);
      const seen = new Map<string, string>();
      for await (const { key, value } of store.all('big')) {
        assert.not.ok(seen.has(key), `${key} yielded twice`);
        seen.set(key, value);
      }
      assert.is(seen.size, n);
      for (const [key, value] of entries) assert.is(seen.get(key), value);
    });
  });

  test('all: breaking out of the loop early leaves the store usable', () =>
    withStore(h, async (store) => {
      for (let i = 0; i < 10; i++) await store.set('g', `k${i}`, 'v');
      for await (const pair of store.all('g')) {
        assert.type(pair.key, 'string');
        break;
      }
      await store.set('g', 'after', 'v');
      assert.is(await store.count('g'), 11);
    }));

  test('all: an iterator abandoned part-way (never finished nor returned) does not block later calls', () =>
    withStore(h, async (store) => {
      for (let i = 0; i < 10; i++) await store.set('g', `k${i}`, 'v');
      const iterator = store.all('g')[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.is(first.done, false);
      await store.set('g', 'after', 'v');
      assert.is(await store.get('g', 'after'), 'v');
    }));

  test('all: several iterations of the same group can run side by side', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2', c: '3' });
      const [x, y] = await Promise.all([collect(store.all('g')), collect(store.all('g'))]);
      assert.is(x.length, 3);
      assert.equal(x, y);
    }));

  test('all: a non-string group fails the iteration with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      const loose = store as unknown as { all(g: unknown): AsyncIterable<unknown> };
      let caught: unknown;
      try {
        await collect(loose.all(42));
      } catch (error) {
        caught = error;
      }
      assert.instance(caught, InvalidArgumentError);
    }));

  test('groupsSeq: yields the same names, in the same order, as groups()', () =>
    withStore(h, async (store) => {
      for (const g of ['b', 'a', 'a:x', 'c', '\u{1F600}', '\uFF5A']) await store.set(g, 'k', 'v');
      const seq = store.groupsSeq();
      assert.type(seq[Symbol.asyncIterator], 'function', 'groupsSeq() returns an async iterable');
      assert.equal(await collect(seq), ['a', 'a:x', 'b', 'c', '\uFF5A', '\u{1F600}']);
      assert.equal(await collect(store.groupsSeq('a')), ['a', 'a:x']);
      assert.equal(await collect(store.groupsSeq('zzz')), []);
    }));

  test('groupsSeq: each group is yielded once however many keys it has', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2', c: '3' });
      await store.setMany('h', { a: '1', b: '2' });
      assert.equal(await collect(store.groupsSeq()), ['g', 'h']);
    }));

  test.run();
}
