/**
 * docs/api.md, "Data model" and "Methods": reads and writes of single keys — upserts, not-found, deletes, getAll, count.
 */
import { NotFoundError, StoreError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { defineSuite, type Harness, rejects, withStore } from './support.js';
import { entriesOf } from './values.js';

export function crudSuite(h: Harness): void {
  const test = defineSuite(h, 'crud');

  test('set then get: returns the value written', () =>
    withStore(h, async (store) => {
      assert.is(await store.set('config', 'theme', 'dark'), undefined);
      assert.is(await store.get('config', 'theme'), 'dark');
    }));

  test('set: writing an existing key replaces its value (upsert), the key is not duplicated', () =>
    withStore(h, async (store) => {
      await store.set('config', 'theme', 'dark');
      await store.set('config', 'theme', 'light');
      assert.is(await store.get('config', 'theme'), 'light');
      assert.is(await store.count('config'), 1);
      assert.is(await store.countAll(), 1);
    }));

  test('set: the same key in different groups holds different values', () =>
    withStore(h, async (store) => {
      await store.set('a', 'k', '1');
      await store.set('b', 'k', '2');
      await store.set('k', 'a', '3');
      assert.is(await store.get('a', 'k'), '1');
      assert.is(await store.get('b', 'k'), '2');
      assert.is(await store.get('k', 'a'), '3');
      await rejects(() => store.get('a', 'b'), NotFoundError, 'NOT_FOUND');
    }));

  test('get: a missing key rejects with NotFoundError naming the operation, group and key', () =>
    withStore(h, async (store) => {
      const error = await rejects(() => store.get('config', 'theme'), NotFoundError, 'NOT_FOUND');
      assert.instance(error, StoreError);
      assert.instance(error, Error);
      assert.is(error.message, 'store.get: config/theme: not found');
    }));

  test('get: a missing key in a group that has other keys rejects with NotFoundError', () =>
    withStore(h, async (store) => {
      await store.set('config', 'colour', 'blue');
      const error = await rejects(() => store.get('config', 'theme'), NotFoundError, 'NOT_FOUND');
      assert.is(error.message, 'store.get: config/theme: not found');
    }));

  test('has: true for a stored key, false for a missing one', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'v');
      assert.is(await store.has('g', 'k'), true);
      assert.is(await store.has('g', 'other'), false);
      assert.is(await store.has('other', 'k'), false);
    }));

  test('delete: removes one key and leaves the others', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', '1');
      await store.set('g', 'b', '2');
      assert.is(await store.delete('g', 'a'), undefined);
      assert.is(await store.has('g', 'a'), false);
      await rejects(() => store.get('g', 'a'), NotFoundError, 'NOT_FOUND');
      assert.is(await store.get('g', 'b'), '2');
      assert.is(await store.count('g'), 1);
    }));

  test('delete: deleting a missing key (or a key of a missing group) is not an error', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', '1');
      assert.is(await store.delete('g', 'missing'), undefined);
      assert.is(await store.delete('nowhere', 'missing'), undefined);
      await store.delete('g', 'a');
      assert.is(await store.delete('g', 'a'), undefined);
      assert.is(await store.countAll(), 0);
    }));

  test('deleteGroup: removes every key of the group and nothing else', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', '1');
      await store.set('g', 'b', '2');
      await store.set('g2', 'a', '3');
      await store.set('g:sub', 'a', '4');
      assert.is(await store.deleteGroup('g'), undefined);
      assert.is(await store.count('g'), 0);
      assert.is(await store.has('g', 'a'), false);
      assert.equal(entriesOf(await store.getAll('g')), []);
      assert.is(await store.get('g2', 'a'), '3');
      assert.is(await store.get('g:sub', 'a'), '4');
      assert.equal(await store.groups(), ['g2', 'g:sub'].sort());
    }));

  test('deleteGroup: deleting a missing group is not an error', () =>
    withStore(h, async (store) => {
      assert.is(await store.deleteGroup('nowhere'), undefined);
    }));

  test('a group exists only through its keys: deleting its last key removes it from groups()', () =>
    withStore(h, async (store) => {
      await store.set('g', 'a', '1');
      assert.equal(await store.groups(), ['g']);
      await store.delete('g', 'a');
      assert.equal(await store.groups(), []);
      assert.is(await store.count('g'), 0);
    }));

  test("getAll: returns the group's pairs as a null-prototype object", () =>
    withStore(h, async (store) => {
      await store.set('g', 'b', '2');
      await store.set('g', 'a', '1');
      await store.set('other', 'c', '3');
      const all = await store.getAll('g');
      assert.is(Object.getPrototypeOf(all), null);
      assert.equal(entriesOf(all), [
        ['a', '1'],
        ['b', '2'],
      ]);
    }));

  test('getAll: a missing group gives an empty null-prototype object', () =>
    withStore(h, async (store) => {
      const all = await store.getAll('nowhere');
      assert.is(Object.getPrototypeOf(all), null);
      assert.equal(Object.keys(all), []);
    }));

  test('getAll: keys named like Object.prototype members (__proto__, constructor, toString) are own properties', () =>
    withStore(h, async (store) => {
      await store.set('g', '__proto__', 'p');
      await store.set('g', 'constructor', 'c');
      await store.set('g', 'toString', 't');
      await store.set('g', 'hasOwnProperty', 'h');
      const all = await store.getAll('g');
      assert.is(Object.getPrototypeOf(all), null);
      assert.equal(Object.keys(all).sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
      assert.ok(Object.hasOwn(all, '__proto__'), '__proto__ must be an own property');
      assert.is(Object.getOwnPropertyDescriptor(all, '__proto__')?.value, 'p');
      assert.is(all.constructor, 'c');
      assert.is(all.toString, 't');
      assert.is(await store.get('g', '__proto__'), 'p');
    }));

  test('count: the number of keys in the group only', () =>
    withStore(h, async (store) => {
      assert.is(await store.count('g'), 0);
      await store.set('g', 'a', '1');
      await store.set('g', 'b', '2');
      await store.set('g', 'b', '3');
      await store.set('h', 'a', '1');
      assert.is(await store.count('g'), 2);
      assert.is(await store.count('h'), 1);
      assert.is(await store.count('G'), 0);
    }));

  test('set: clears the TTL of a key written with setWithTTL', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'temporary', 1_000);
      await store.set('g', 'k', 'permanent');
      clock.advance(1_000_000);
      assert.is(await store.get('g', 'k'), 'permanent');
      assert.is(await store.has('g', 'k'), true);
      assert.is(await store.purgeExpired(), 0);
    }));

  test('setWithTTL: refreshes the TTL of a key that already has one', () =>
    withStore(h, async (store, clock) => {
      await store.setWithTTL('g', 'k', 'v1', 100);
      clock.advance(60);
      await store.setWithTTL('g', 'k', 'v2', 100);
      clock.advance(60); // 120 ms after the first write, 60 ms after the second
      assert.is(await store.get('g', 'k'), 'v2');
      clock.advance(40);
      assert.is(await store.has('g', 'k'), false);
    }));

  test('setWithTTL: gives a TTL to a key that had none', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'k', 'v1');
      await store.setWithTTL('g', 'k', 'v2', 100);
      assert.is(await store.get('g', 'k'), 'v2');
      clock.advance(100);
      assert.is(await store.has('g', 'k'), false);
    }));

  test('a store opened without a clock uses the real time', async () => {
    const store = await h.open({ purgeIntervalMs: 0 });
    try {
      await store.setWithTTL('g', 'long', 'v', 3_600_000);
      await store.setWithTTL('g', 'past', 'v', -3_600_000);
      assert.is(await store.get('g', 'long'), 'v');
      assert.is(await store.has('g', 'past'), false);
    } finally {
      await store.close();
    }
  });

  test.run();
}
