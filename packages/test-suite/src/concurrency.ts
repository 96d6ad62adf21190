/**
 * Concurrent readers and writers: calls issued together (without awaiting each other) are
 * applied in call order, so the outcome is what applying them one by one would give.
 */
import { NotFoundError, QuotaExceededError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { record } from './event-shapes.js';
import { defineSuite, type Harness, withStore } from './support.js';
import { entriesOf, random } from './values.js';

type Outcome = string | number | boolean | undefined | 'NOT_FOUND';

export function concurrencySuite(h: Harness): void {
  const test = defineSuite(h, 'concurrency');

  test('500 interleaved sets, gets, deletes, has and counts issued together end as a sequential run in call order would', () =>
    withStore(h, async (store) => {
      const next = random(20240101);
      const model = new Map<string, Map<string, string>>();
      const groupOf = (g: string): Map<string, string> => {
        let m = model.get(g);
        if (!m) {
          m = new Map();
          model.set(g, m);
        }
        return m;
      };
      const calls: Array<Promise<Outcome>> = [];
      const expected: Outcome[] = [];
      const notFound = (error: unknown): Outcome => {
        if (error instanceof NotFoundError) return 'NOT_FOUND';
        throw error;
      };
      for (let i = 0; i < 500; i++) {
        const group = `g${Math.floor(next() * 3)}`;
        const key = `k${Math.floor(next() * 12)}`;
        const roll = next();
        if (roll < 0.4) {
          const value = `v${i}`;
          calls.push(store.set(group, key, value).then(() => undefined));
          groupOf(group).set(key, value);
          expected.push(undefined);
        } else if (roll < 0.65) {
          calls.push(store.get(group, key).catch(notFound));
          expected.push(groupOf(group).get(key) ?? 'NOT_FOUND');
        } else if (roll < 0.8) {
          calls.push(store.delete(group, key).then(() => undefined));
          groupOf(group).delete(key);
          expected.push(undefined);
        } else if (roll < 0.9) {
          calls.push(store.has(group, key));
          expected.push(groupOf(group).has(key));
        } else if (roll < 0.97) {
          calls.push(store.count(group));
          expected.push(groupOf(group).size);
        } else {
          calls.push(store.deleteGroup(group).then(() => undefined));
          groupOf(group).clear();
          expected.push(undefined);
        }
      }
      const outcomes = await Promise.all(calls);
      for (let i = 0; i < outcomes.length; i++) {
        assert.is(outcomes[i], expected[i], `call #${i}`);
      }
      for (const [group, entries] of model) {
        assert.equal(
          entriesOf(await store.getAll(group)),
          entriesOf(Object.fromEntries(entries)),
          `final state of ${group}`,
        );
      }
    }));

  test('writes to one key issued together: the last call wins', () =>
    withStore(h, async (store) => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.set('g', 'k', `${i}`)));
      assert.is(await store.get('g', 'k'), '99');
    }));

  test('a read issued after a write, without awaiting it, sees the write', () =>
    withStore(h, async (store) => {
      const write = store.set('g', 'k', 'v');
      const read = store.get('g', 'k');
      const del = store.delete('g', 'k');
      const after = store.has('g', 'k');
      await write;
      assert.is(await read, 'v');
      await del;
      assert.is(await after, false);
    }));

  test('many concurrent readers of one key all see its value', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'shared');
      const values = await Promise.all(Array.from({ length: 200 }, () => store.get('g', 'k')));
      assert.ok(values.every((v) => v === 'shared'));
    }));

  test('many concurrent writers of distinct keys and groups lose nothing', () =>
    withStore(h, async (store) => {
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          i % 3 === 0
            ? store.setWithTTL(`g${i % 10}`, `k${i}`, `${i}`, 60_000)
            : store.set(`g${i % 10}`, `k${i}`, `${i}`),
        ),
      );
      assert.is(await store.countAll(), 300);
      assert.is((await store.groups()).length, 10);
      assert.is(await store.get('g7', 'k157'), '157');
    }));

  test('readers and writers interleaved: every count read sees exactly the writes issued before it', () =>
    withStore(h, async (store) => {
      const counts: Array<Promise<number>> = [];
      const writes: Array<Promise<void>> = [];
      for (let i = 0; i < 100; i++) {
        writes.push(store.set('g', `k${i}`, 'v'));
        counts.push(store.countAll());
      }
      await Promise.all(writes);
      assert.equal(
        await Promise.all(counts),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    }));

  test('events of writes issued together arrive in call order', () =>
    withStore(h, async (store) => {
      const events = record(store);
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.set(`g${i % 4}`, `k${i}`, `${i}`)));
      assert.equal(
        events.map((e) => e.value),
        Array.from({ length: 100 }, (_, i) => `${i}`),
      );
    }));

  test('concurrent batches and single writes are applied in call order', () =>
    withStore(h, async (store) => {
      await Promise.all([
        store.set('g', 'a', '1'),
        store.setMany('g', { a: '2', b: '2' }),
        store.delete('g', 'b'),
        store.setMany('g', [['b', '3']]),
        store.deletePrefix('h'),
        store.set('g', 'c', '4'),
      ]);
      assert.equal(entriesOf(await store.getAll('g')), [
        ['a', '2'],
        ['b', '3'],
        ['c', '4'],
      ]);
    }));

  test('scoped sets and deletes issued together against maxKeys follow call order exactly', () =>
    withStore(h, async (store) => {
      const scoped = store.scope('q', { maxKeys: 5 });
      const next = random(77);
      const live = new Set<string>();
      const calls: Array<Promise<string>> = [];
      const expected: string[] = [];
      const outcome = (p: Promise<void>): Promise<string> =>
        p.then(
          () => 'ok',
          (error: unknown) => (error instanceof QuotaExceededError ? 'quota' : Promise.reject(error)),
        );
      for (let i = 0; i < 300; i++) {
        const key = `k${Math.floor(next() * 12)}`;
        if (next() < 0.65) {
          calls.push(outcome(scoped.set('g', key, `${i}`)));
          if (live.has(key) || live.size < 5) {
            live.add(key);
            expected.push('ok');
          } else {
            expected.push('quota');
          }
        } else {
          calls.push(outcome(scoped.delete('g', key)));
          live.delete(key);
          expected.push('ok');
        }
      }
      assert.equal(await Promise.all(calls), expected);
      assert.equal(Object.keys(await scoped.getAll('g')).sort(), [...live].sort());
    }));

  test.run();
}
