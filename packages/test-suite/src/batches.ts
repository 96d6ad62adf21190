/**
 * docs/api.md, "Methods": the batch methods — `setMany`, `getMany`, `deletePrefix` — and keyset pagination
 * with `getPage`, on the store and on a ScopedStore.
 *
 * One area of the suite in one file: it is long because the area has many promises to check.
 */
import { InvalidArgumentError, QuotaExceededError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { deleteGroupEvent, drain, record, setEvent, shapes } from './event-shapes.js';
import { defineSuite, type Harness, rejects, withStore } from './support.js';
import { byCodePoint, entriesOf, random } from './values.js';

export function batchesSuite(h: Harness): void {
  const test = defineSuite(h, 'batches and pagination');

  // setMany

  test('setMany: writes the entries of an object', () =>
    withStore(h, async (store) => {
      assert.is(await store.setMany('g', { a: '1', b: '2', '': 'empty key' }), undefined);
      assert.equal(entriesOf(await store.getAll('g')), [
        ['', 'empty key'],
        ['a', '1'],
        ['b', '2'],
      ]);
    }));

  test('setMany: writes the entries of an iterable of pairs (array, Map, generator)', () =>
    withStore(h, async (store) => {
      await store.setMany('array', [
        ['a', '1'],
        ['b', '2'],
      ]);
      await store.setMany(
        'map',
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
      );
      await store.setMany(
        'generator',
        (function* () {
          yield ['a', '1'] as const;
          yield ['b', '2'] as const;
        })(),
      );
      for (const group of ['array', 'map', 'generator']) {
        assert.equal(
          entriesOf(await store.getAll(group)),
          [
            ['a', '1'],
            ['b', '2'],
          ],
          group,
        );
      }
    }));

  test('setMany: upserts — existing keys are overwritten, others untouched', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', 'old');
      await store.set('g', 'keep', 'kept');
      await store.setMany('g', { a: 'new', b: '2' });
      assert.equal(entriesOf(await store.getAll('g')), [
        ['a', 'new'],
        ['b', '2'],
        ['keep', 'kept'],
      ]);
    }));

  test('setMany: a key named __proto__ in an object of entries is stored like any other', () =>
    withStore(h, async (store) => {
      const entries = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
      await store.setMany('g', entries);
      assert.is(await store.get('g', '__proto__'), 'p');
      assert.is(await store.get('g', 'constructor'), 'c');
      assert.is(await store.count('g'), 2);
    }));

  test('setMany: ttlMs makes every entry expire ttlMs from now', () =>
    withStore(h, async (store, clock) => {
      await store.setMany('g', { a: '1', b: '2' }, { ttlMs: 100 });
      clock.advance(99);
      assert.is(await store.count('g'), 2);
      clock.advance(1);
      assert.is(await store.count('g'), 0);
      assert.is(await store.purgeExpired(), 2);
    }));

  test('setMany: without ttlMs the entries have no expiry (an existing TTL is cleared, as set does)', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'a', 'old', 100);
      await store.setMany('g', { a: 'new' });
      clock.advance(1_000_000);
      assert.is(await store.get('g', 'a'), 'new');
    }));

  test('setMany: a ttlMs that is not a finite number rejects with InvalidArgumentError and writes nothing', () =>
    withStore(h, async (store) => {
      for (const ttlMs of [Number.NaN, Number.POSITIVE_INFINITY, '100'] as unknown[]) {
        await rejects(
          () => store.setMany('g', { a: '1' }, { ttlMs: ttlMs as number }),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
        );
      }
      assert.is(await store.countAll(), 0);
    }));

  test('setMany: emits one set event per entry, in order', () =>
    withStore(h, async (store) => {
      const events = record(store);
      const watcher = store.watch('g', '*');
      await store.setMany('g', [
        ['b', '2'],
        ['a', '1'],
        ['c', '3'],
      ]);
      const want = [setEvent('g', 'b', '2'), setEvent('g', 'a', '1'), setEvent('g', 'c', '3')];
      assert.equal(shapes(events), want);
      assert.equal(shapes(await drain(watcher)), want);
    }));

  test('setMany: a repeated key — the last value wins, and each entry emits its set event', () =>
    withStore(h, async (store) => {
      const events = record(store);
      await store.setMany('g', [
        ['a', '1'],
        ['a', '2'],
      ]);
      assert.is(await store.get('g', 'a'), '2');
      assert.equal(shapes(events), [setEvent('g', 'a', '1'), setEvent('g', 'a', '2')]);
    }));

  test('setMany: no entries is not an error and emits nothing', () =>
    withStore(h, async (store) => {
      const events = record(store);
      await store.setMany('g', {});
      await store.setMany('g', []);
      assert.equal(events, []);
      assert.is(await store.countAll(), 0);
    }));

  test('setMany: atomic — one bad entry rejects with InvalidArgumentError and nothing is written or emitted', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', 'original');
      const events = record(store);
      const bad: unknown[] = [
        [
          ['a', 'changed'],
          ['b', 2],
        ],
        [
          ['a', 'changed'],
          ['\uD800', 'v'],
        ],
        [['a', 'changed'], ['b']],
        [['a', 'changed'], 'not a pair'],
        { a: 'changed', b: null },
      ];
      for (const entries of bad) {
        await rejects(
          () => store.setMany('g', entries as Iterable<[string, string]>),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
        );
      }
      assert.equal(entriesOf(await store.getAll('g')), [['a', 'original']]);
      assert.equal(events, []);
    }));

  test('setMany: entries that are neither an object nor an iterable reject with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      for (const entries of [null, undefined, 42, 'ab']) {
        await rejects(
          () => store.setMany('g', entries as unknown as Record<string, string>),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `setMany(g, ${String(entries)})`,
        );
      }
      assert.is(await store.countAll(), 0);
    }));

  test('setMany on a ScopedStore: stored in the namespace, events carry the full group', () =>
    withStore(h, async (store) => {
      const events = record(store);
      await store.scope('ns').setMany('g', { a: '1' });
      assert.is(await store.get('ns:g', 'a'), '1');
      assert.equal(shapes(events), [setEvent('ns:g', 'a', '1')]);
    }));

  test('setMany on a ScopedStore: all or nothing against maxKeys', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 3 });
      await scoped.set('g', 'existing', 'v');
      const events = record(store);
      await rejects(() => scoped.setMany('g', { a: '1', b: '2', c: '3' }), QuotaExceededError, 'QUOTA_EXCEEDED');
      assert.equal(entriesOf(await scoped.getAll('g')), [['existing', 'v']]);
      assert.equal(events, []);
      await scoped.setMany('g', { existing: 'overwritten', a: '1', b: '2' });
      assert.is(await scoped.countAll(), 3);
      await scoped.setMany('g', { a: 'again', b: 'again' });
      assert.is(await scoped.get('g', 'a'), 'again');
    }));

  test('setMany on a ScopedStore: a key repeated in one batch counts once', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 1 });
      await scoped.setMany('g', [
        ['a', '1'],
        ['a', '2'],
      ]);
      assert.is(await scoped.get('g', 'a'), '2');
    }));

  test('setMany on a ScopedStore: all or nothing against maxGroups', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxGroups: 1 });
      await scoped.set('g', 'a', '1');
      await rejects(() => scoped.setMany('h', { a: '1' }), QuotaExceededError, 'QUOTA_EXCEEDED');
      await scoped.setMany('g', { b: '2', c: '3' });
      assert.equal(await scoped.groups(), ['g']);
      assert.is(await scoped.countAll(), 3);
    }));

  test('setMany on a ScopedStore: concurrent batches never exceed maxKeys together', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 10 });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => scoped.setMany(`g${i}`, { a: '1', b: '2', c: '3' })),
      );
      assert.is(results.filter((r) => r.status === 'fulfilled').length, 3);
      assert.is(await scoped.countAll(), 9);
    }));

  // getMany

  test('getMany: a null-prototype object of the keys found; missing keys are absent', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2', c: '3' });
      await store.set('other', 'd', '4');
      const found = await store.getMany('g', ['a', 'c', 'd', 'missing']);
      assert.is(Object.getPrototypeOf(found), null);
      assert.equal(entriesOf(found), [
        ['a', '1'],
        ['c', '3'],
      ]);
      assert.not.ok('missing' in found);
      assert.not.ok('d' in found);
    }));

  test('getMany: expired keys are absent', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'a', '1');
      await store.setWithTTL('g', 'b', '2', 10);
      clock.advance(10);
      assert.equal(entriesOf(await store.getMany('g', ['a', 'b'])), [['a', '1']]);
    }));

  test('getMany: accepts any iterable of keys, repeated keys included; no keys gives an empty object', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2' });
      assert.equal(entriesOf(await store.getMany('g', new Set(['a', 'b']))), [
        ['a', '1'],
        ['b', '2'],
      ]);
      assert.equal(entriesOf(await store.getMany('g', ['a', 'a'])), [['a', '1']]);
      const empty = await store.getMany('g', []);
      assert.is(Object.getPrototypeOf(empty), null);
      assert.equal(Object.keys(empty), []);
    }));

  test('getMany: a key named __proto__ is an own property', () =>
    withStore(h, async (store) => {
      await store.set('g', '__proto__', 'p');
      const found = await store.getMany('g', ['__proto__', 'toString']);
      assert.ok(Object.hasOwn(found, '__proto__'));
      assert.is(Object.getOwnPropertyDescriptor(found, '__proto__')?.value, 'p');
      assert.not.ok('toString' in found);
    }));

  test('getMany: a non-string key rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      await rejects(() => store.getMany('g', ['a', 1 as unknown as string]), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => store.getMany('g', ['\uDFFF']), InvalidArgumentError, 'INVALID_ARGUMENT');
    }));

  test('getMany on a ScopedStore reads the namespaced group', () =>
    withStore(h, async (store) => {
      await store.set('ns:g', 'a', 'scoped');
      await store.set('g', 'a', 'unscoped');
      assert.equal(entriesOf(await store.scope('ns').getMany('g', ['a'])), [['a', 'scoped']]);
    }));

  // deletePrefix

  test('deletePrefix: literal and case-sensitive; resolves to the number of keys removed', () =>
    withStore(h, async (store) => {
      const groups = ['user_1', 'user_', 'userX', 'USER_1', 'user%', 'user', 'users_1'];
      for (const g of groups) await store.setMany(g, { a: '1', b: '2' });
      assert.is(await store.deletePrefix('user_'), 4);
      assert.equal(await store.groups(), ['USER_1', 'user', 'user%', 'userX', 'users_1']);
      assert.is(await store.deletePrefix('user%'), 2);
      assert.is(await store.deletePrefix('USER'), 2);
      assert.equal(await store.groups(), ['user', 'userX', 'users_1']);
    }));

  test('deletePrefix: one delete_group event per group that had live keys', () =>
    withStore(h, async (store, clock) => {
      await store.setMany('app:a', { x: '1', y: '2' });
      await store.set('app:b', 'x', '1');
      await store.setWithTTL('app:expired', 'x', '1', 10);
      await store.set('apple', 'x', '1');
      await store.set('other', 'x', '1');
      clock.advance(10);
      const events = record(store);
      const watcher = store.watch('app:a', '*');
      assert.is(await store.deletePrefix('app:'), 3);
      assert.equal(
        shapes(events).sort((x, y) => byCodePoint(x.group, y.group)),
        [deleteGroupEvent('app:a'), deleteGroupEvent('app:b')],
      );
      assert.equal(shapes(await drain(watcher)), [deleteGroupEvent('app:a')]);
      assert.equal(await store.groups(), ['apple', 'other']);
    }));

  test('deletePrefix: no matching group resolves to 0 and emits nothing', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      const events = record(store);
      assert.is(await store.deletePrefix('nope'), 0);
      assert.is(await store.deletePrefix('G'), 0);
      assert.equal(events, []);
      assert.is(await store.countAll(), 1);
    }));

  test('deletePrefix: a non-string prefix rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      await rejects(() => store.deletePrefix(null as unknown as string), InvalidArgumentError, 'INVALID_ARGUMENT');
      assert.is(await store.countAll(), 1);
    }));

  test("deletePrefix on a ScopedStore: only the namespace's groups, prefix without the namespace", () =>
    withStore(h, async (store) => {
      const scoped = store.scope('ns');
      await scoped.setMany('a', { x: '1', y: '2' });
      await scoped.set('ab', 'x', '1');
      await scoped.set('b', 'x', '1');
      await store.set('ns-x:a', 'x', '1');
      await store.set('a', 'x', '1');
      await store.set('other:a', 'x', '1');
      const events = record(store);
      assert.is(await scoped.deletePrefix('a'), 3);
      assert.equal(
        shapes(events).sort((x, y) => byCodePoint(x.group, y.group)),
        [deleteGroupEvent('ns:a'), deleteGroupEvent('ns:ab')],
      );
      assert.equal(await store.groups(), ['a', 'ns-x:a', 'ns:b', 'other:a']);
    }));

  // getPage

  test('getPage: at most limit pairs in key order, then the next page after the last key', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { d: '4', b: '2', a: '1', e: '5', c: '3' });
      await store.set('other', 'a0', 'x');
      const first = await store.getPage('g', { limit: 2 });
      assert.equal(first, [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ]);
      const second = await store.getPage('g', { after: 'b', limit: 2 });
      assert.equal(second, [
        { key: 'c', value: '3' },
        { key: 'd', value: '4' },
      ]);
      assert.equal(await store.getPage('g', { after: 'd', limit: 2 }), [{ key: 'e', value: '5' }]);
      assert.equal(await store.getPage('g', { after: 'e', limit: 2 }), []);
    }));

  test('getPage: after need not be a stored key; keys strictly greater are returned', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2', c: '3' });
      assert.equal(
        (await store.getPage('g', { after: 'a0', limit: 10 })).map((p) => p.key),
        ['b', 'c'],
      );
      assert.equal(
        (await store.getPage('g', { after: '', limit: 10 })).map((p) => p.key),
        ['a', 'b', 'c'],
      );
      assert.equal(await store.getPage('g', { after: 'z', limit: 10 }), []);
      assert.equal(await store.getPage('missing', { limit: 10 }), []);
    }));

  test("getPage: the empty key is the first key and after: '' excludes it", () =>
    withStore(h, async (store) => {
      await store.setMany('g', { '': 'empty', a: '1' });
      assert.equal(
        (await store.getPage('g', { limit: 1 })).map((p) => p.key),
        [''],
      );
      assert.equal(
        (await store.getPage('g', { after: '', limit: 10 })).map((p) => p.key),
        ['a'],
      );
    }));

  test('getPage: keyset comparisons are by code point (after U+FF5A comes U+1F600)', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { '\u{1F600}': 'emoji', '\uFF5A': 'fullwidth z', '\uE000': 'private use' });
      assert.equal(
        (await store.getPage('g', { after: '\uFF5A', limit: 10 })).map((p) => p.key),
        ['\u{1F600}'],
      );
      assert.equal(await store.getPage('g', { after: '\u{1F600}', limit: 10 }), []);
      assert.equal(
        (await store.getPage('g', { after: '\uE000', limit: 1 })).map((p) => p.key),
        ['\uFF5A'],
      );
    }));

  test('getPage: returns exactly { key, value } objects', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      const [item] = await store.getPage('g', { limit: 1 });
      assert.equal(item, { key: 'k', value: 'v' });
      assert.equal(Object.keys(item as object).sort(), ['key', 'value']);
    }));

  test('getPage: expired keys are skipped and do not use up the limit', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'a', '1');
      await store.setWithTTL('g', 'b', '2', 10);
      await store.setWithTTL('g', 'c', '3', 10);
      await store.set('g', 'd', '4');
      clock.advance(10);
      assert.equal(
        (await store.getPage('g', { limit: 2 })).map((p) => p.key),
        ['a', 'd'],
      );
    }));

  test('getPage on a ScopedStore pages the namespaced group', () =>
    withStore(h, async (store) => {
      await store.setMany('ns:g', { a: '1', b: '2' });
      await store.setMany('g', { a: 'x' });
      const scoped = store.scope('ns');
      assert.equal(await scoped.getPage('g', { limit: 1 }), [{ key: 'a', value: '1' }]);
      assert.equal(await scoped.getPage('g', { after: 'a', limit: 5 }), [{ key: 'b', value: '2' }]);
    }));

  test('getPage: visits every key exactly once while keys are inserted and deleted around the cursor', () =>
    withStore(h, async (store) => {
      // The expectation, precisely: each page is the first `limit` keys greater than the cursor
      // among the keys live when that page is read. Hence a key inserted ahead of the cursor is
      // visited, one inserted behind it never is, one deleted before the cursor reaches it never
      // is, deleting keys behind the cursor changes nothing, and every other key is visited
      // exactly once, in strictly increasing order.
      const name = (n: number): string => `k${String(Math.max(0, n)).padStart(4, '0')}`;
      const live = new Set<string>();
      const original: string[] = [];
      for (let i = 0; i < 200; i += 2) original.push(name(i));
      for (const k of original) live.add(k);
      await store.setMany(
        'g',
        original.map((k) => [k, `v-${k}`] as const),
      );
      const next = random(8);
      const insertedAhead = new Set<string>();
      const insertedBehind = new Set<string>();
      const deletedAhead = new Set<string>();
      const visited: string[] = [];
      let cursor: string | undefined;
      let finished = false;
      const allWrites: Array<Promise<unknown>> = [];
      for (let round = 0; round < 500 && !finished; round++) {
        const page = await store.getPage('g', cursor === undefined ? { limit: 7 } : { after: cursor, limit: 7 });
        const after = cursor;
        const expected = [...live]
          .filter((k) => after === undefined || byCodePoint(k, after) > 0)
          .sort(byCodePoint)
          .slice(0, 7);
        assert.equal(
          page.map((p) => p.key),
          expected,
          `page ${round} after ${String(cursor)}`,
        );
        for (const p of page) assert.is(p.value, `v-${p.key}`);
        if (page.length === 0) {
          finished = true;
          break;
        }
        visited.push(...page.map((p) => p.key));
        const here = (page[page.length - 1] as { key: string }).key;
        cursor = here;
        const at = Number(here.slice(1, 5));
        // Issued without awaiting: calls apply in call order, so the next page sees them all.
        const writes: Array<Promise<unknown>> = [];
        const insert = (key: string): void => {
          writes.push(store.set('g', key, `v-${key}`));
          live.add(key);
          (byCodePoint(key, here) > 0 ? insertedAhead : insertedBehind).add(key);
        };
        insert(`${name(at + 2 * Math.floor(next() * 10) + 1)}+${round}`);
        insert(`${name(at - 2 * Math.floor(next() * 5) - 1)}+${round}`);
        const ahead = [...live].filter((k) => byCodePoint(k, here) > 0);
        const doomed = ahead[Math.floor(next() * ahead.length)];
        if (doomed !== undefined && next() < 0.7) {
          writes.push(store.delete('g', doomed));
          live.delete(doomed);
          insertedAhead.delete(doomed);
          deletedAhead.add(doomed);
        }
        const old = visited[Math.floor(next() * visited.length)] as string;
        if (live.has(old)) {
          writes.push(store.delete('g', old));
          live.delete(old);
        }
        allWrites.push(...writes);
      }
      await Promise.all(allWrites);
      assert.ok(finished, 'the pagination reached the end');
      assert.is(new Set(visited).size, visited.length, 'no key is visited twice');
      assert.equal([...visited].sort(byCodePoint), visited, 'keys are visited in increasing order');
      const seen = new Set(visited);
      for (const k of original) {
        if (deletedAhead.has(k))
          assert.not.ok(seen.has(k), `${k}, deleted before the cursor reached it, was not visited`);
        else assert.ok(seen.has(k), `original key ${k} was visited`);
      }
      for (const k of insertedAhead) assert.ok(seen.has(k), `${k}, inserted ahead of the cursor, was visited`);
      for (const k of insertedBehind) assert.not.ok(seen.has(k), `${k}, inserted behind the cursor, was not visited`);
      for (const k of deletedAhead) assert.not.ok(seen.has(k), `${k}, deleted ahead of the cursor, was not visited`);
      assert.ok(
        insertedAhead.size > 3 && insertedBehind.size > 3 && deletedAhead.size > 3,
        'the run exercised every case',
      );
    }));

  test.run();
}
