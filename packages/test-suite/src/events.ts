/**
 * docs/api.md, "Events": events — their shape and order, which writes emit them, watchers (wildcards, bounded
 * buffers, `dropped`, unwatch) and `onChange` callbacks (re-entrancy, throwing callbacks).
 *
 * One area of the suite in one file: it is long because the area has many promises to check.
 */
import { InvalidArgumentError, NotFoundError, type StoreEvent } from '@go-store/core';
import * as assert from 'uvu/assert';
import { deleteEvent, deleteGroupEvent, drain, record, setEvent, shape, shapes } from './event-shapes.js';
import { defineSuite, type Harness, rejects, T0, throwsSync, withStore } from './support.js';

export function eventsSuite(h: Harness): void {
  const test = defineSuite(h, 'events');

  test('set: emits { type: "set", group, key, value, timestamp } with the timestamp from the store clock', () =>
    withStore(h, async (store, clock) => {
      const events = record(store);
      clock.time = T0 + 12_345;
      await store.set('config', 'theme', 'dark');
      assert.is(events.length, 1);
      const event = events[0] as StoreEvent;
      assert.equal(shape(event), setEvent('config', 'theme', 'dark'));
      assert.instance(event.timestamp, Date);
      assert.is(event.timestamp.getTime(), T0 + 12_345);
      assert.equal(Object.keys(event).sort(), ['group', 'key', 'timestamp', 'type', 'value']);
    }));

  test('setWithTTL: emits a set event with the value', () =>
    withStore(h, async (store, clock) => {
      const events = record(store);
      await store.setWithTTL('session', 'token', 'abc', 1_000);
      assert.equal(shapes(events), [setEvent('session', 'token', 'abc')]);
      assert.is((events[0] as StoreEvent).timestamp.getTime(), clock.time);
    }));

  test('setWithTTL: a ttl <= 0 is still a committed write and emits a set event', () =>
    withStore(h, async (store) => {
      const events = record(store);
      await store.setWithTTL('g', 'k', 'v', 0);
      assert.equal(shapes(events), [setEvent('g', 'k', 'v')]);
    }));

  test('delete: emits { type: "delete", value: "" } when it removes a live key', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'k', 'v');
      const events = record(store);
      clock.advance(7);
      await store.delete('g', 'k');
      assert.equal(shapes(events), [deleteEvent('g', 'k')]);
      assert.is((events[0] as StoreEvent).timestamp.getTime(), T0 + 7);
    }));

  test("watch: a watcher of the empty key gets that key's events but never delete_group", () =>
    withStore(h, async (store) => {
      const empty = store.watch('g', '');
      const anyGroupEmpty = store.watch('*', '');
      await store.set('g', '', 'v');
      await store.set('g', 'other', 'v');
      await store.deleteGroup('g');
      store.unwatch(empty);
      store.unwatch(anyGroupEmpty);
      assert.equal(shapes(await drain(empty)), [setEvent('g', '', 'v')]);
      assert.equal(shapes(await drain(anyGroupEmpty)), [setEvent('g', '', 'v')]);
    }));

  test('unwatch: anything but a watcher throws InvalidArgumentError', () =>
    withStore(h, async (store) => {
      for (const value of [undefined, null, {}, 'w']) {
        throwsSync(
          () => store.unwatch(value as never),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `unwatch(${String(value)})`,
        );
      }
    }));

  test('deleteGroup: emits one { type: "delete_group", key: "", value: "" } when it removes live keys', () =>
    withStore(h, async (store) => {
      await store.setMany('g', { a: '1', b: '2', c: '3' });
      const events = record(store);
      await store.deleteGroup('g');
      assert.equal(shapes(events), [deleteGroupEvent('g')]);
    }));

  test('delete and deleteGroup: emit nothing when no live key was removed', () =>
    withStore(h, async (store, clock) => {
      await store.set('g', 'k', 'v');
      await store.setWithTTL('expired', 'k', 'v', 10);
      await store.setWithTTL('g', 'expired', 'v', 10);
      clock.advance(10);
      const events = record(store);
      const watcher = store.watch('*', '*');
      await store.delete('g', 'missing');
      await store.delete('nowhere', 'k');
      await store.delete('g', 'expired');
      await store.deleteGroup('nowhere');
      await store.deleteGroup('expired');
      assert.equal(events, []);
      assert.equal(await drain(watcher), []);
    }));

  test('a rejected write (bad argument) emits nothing', () =>
    withStore(h, async (store) => {
      const events = record(store);
      const watcher = store.watch('*', '*');
      const loose = store as unknown as {
        set(g: unknown, k: unknown, v: unknown): Promise<void>;
        delete(g: unknown, k: unknown): Promise<void>;
        deleteGroup(g: unknown): Promise<void>;
        setMany(g: unknown, e: unknown): Promise<void>;
      };
      await rejects(() => loose.set('g', 1, 'v'), InvalidArgumentError);
      await rejects(() => store.set('g', 'k', '\uD800'), InvalidArgumentError);
      await rejects(() => store.setWithTTL('g', 'k', 'v', Number.NaN), InvalidArgumentError);
      await rejects(() => loose.delete('g', null), InvalidArgumentError);
      await rejects(() => loose.deleteGroup(7), InvalidArgumentError);
      await rejects(
        () =>
          loose.setMany('g', [
            ['a', '1'],
            ['b', 2],
          ]),
        InvalidArgumentError,
      );
      assert.equal(events, []);
      assert.equal(await drain(watcher), []);
    }));

  test('events are emitted in commit order, which is call order, for writes issued together', () =>
    withStore(h, async (store) => {
      const events = record(store);
      const watcher = store.watch('*', '*', { bufferSize: 100 });
      await Promise.all([
        store.set('g', 'a', '1'),
        store.set('g', 'b', '2'),
        store.setWithTTL('h', 'c', '3', 1_000),
        store.delete('g', 'a'),
        store.set('g', 'a', '4'),
        store.deleteGroup('h'),
        store.set('g', 'b', '5'),
        store.delete('g', 'missing'),
        store.deleteGroup('g'),
      ]);
      const want = [
        setEvent('g', 'a', '1'),
        setEvent('g', 'b', '2'),
        setEvent('h', 'c', '3'),
        deleteEvent('g', 'a'),
        setEvent('g', 'a', '4'),
        deleteGroupEvent('h'),
        setEvent('g', 'b', '5'),
        deleteGroupEvent('g'),
      ];
      assert.equal(shapes(events), want);
      assert.equal(shapes(await drain(watcher)), want);
    }));

  test('an event is emitted after its write has committed: a read issued from the callback sees it', () =>
    withStore(h, async (store) => {
      const reads: Array<Promise<string>> = [];
      store.onChange((event) => {
        if (event.type === 'set') reads.push(store.get(event.group, event.key));
      });
      await store.set('g', 'k', 'v1');
      await store.set('g', 'k', 'v2');
      assert.equal(await Promise.all(reads), ['v1', 'v2']);
    }));

  test("onChange: the callback has run by the time the write's Promise resolves", () =>
    withStore(h, async (store) => {
      const events = record(store);
      await store.set('g', 'k', 'v');
      assert.is(events.length, 1);
      await store.delete('g', 'k');
      assert.is(events.length, 2);
    }));

  test('timestamps follow the store clock write by write', () =>
    withStore(h, async (store, clock) => {
      const events = record(store);
      await store.set('g', 'a', '1');
      clock.advance(1_000);
      await store.set('g', 'b', '2');
      clock.advance(1_000);
      await store.deleteGroup('g');
      assert.equal(
        events.map((e) => e.timestamp.getTime()),
        [T0, T0 + 1_000, T0 + 2_000],
      );
    }));

  test("watch('*', '*'): receives every event of every group", () =>
    withStore(h, async (store) => {
      const watcher = store.watch('*', '*');
      await store.set('a', 'x', '1');
      await store.set('b', 'y', '2');
      await store.delete('a', 'x');
      await store.deleteGroup('b');
      assert.equal(shapes(await drain(watcher)), [
        setEvent('a', 'x', '1'),
        setEvent('b', 'y', '2'),
        deleteEvent('a', 'x'),
        deleteGroupEvent('b'),
      ]);
    }));

  test("watch(g, '*'): receives every key of g and delete_group of g, nothing of other groups", () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      await store.set('g', 'a', '1');
      await store.set('other', 'a', '1');
      await store.set('g:sub', 'a', '1');
      await store.set('G', 'a', '1');
      await store.set('g', 'b', '2');
      await store.delete('g', 'a');
      await store.deleteGroup('other');
      await store.deleteGroup('g');
      assert.equal(shapes(await drain(watcher)), [
        setEvent('g', 'a', '1'),
        setEvent('g', 'b', '2'),
        deleteEvent('g', 'a'),
        deleteGroupEvent('g'),
      ]);
    }));

  test("watch('*', k): receives key k of every group and nothing else", () =>
    withStore(h, async (store) => {
      const watcher = store.watch('*', 'k');
      await store.set('a', 'k', '1');
      await store.set('a', 'K', '1');
      await store.set('b', 'k', '2');
      await store.set('b', 'other', '2');
      await store.delete('a', 'k');
      await store.deleteGroup('b');
      assert.equal(shapes(await drain(watcher)), [
        setEvent('a', 'k', '1'),
        setEvent('b', 'k', '2'),
        deleteEvent('a', 'k'),
      ]);
    }));

  test('watch(g, k): receives exactly that key (not delete_group, other keys or other groups)', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', 'k');
      await store.set('g', 'k', '1');
      await store.set('g', 'k2', '1');
      await store.set('g2', 'k', '1');
      await store.set('g', 'k', '2');
      await store.delete('g', 'k');
      await store.set('g', 'k', '3');
      await store.deleteGroup('g');
      assert.equal(shapes(await drain(watcher)), [
        setEvent('g', 'k', '1'),
        setEvent('g', 'k', '2'),
        deleteEvent('g', 'k'),
        setEvent('g', 'k', '3'),
      ]);
    }));

  test('watch: a pending read resolves with the next matching event', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      const iterator = watcher[Symbol.asyncIterator]();
      const next = iterator.next();
      await store.set('other', 'k', 'v');
      await store.set('g', 'k', 'v');
      const result = await next;
      assert.is(result.done, false);
      assert.equal(shape(result.value as StoreEvent), setEvent('g', 'k', 'v'));
      watcher.close();
    }));

  test('watch: a for-await loop receives events as they are written', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      const seen: string[] = [];
      const loop = (async () => {
        for await (const event of watcher) {
          seen.push(event.key);
          if (seen.length === 3) break;
        }
      })();
      await store.set('g', 'a', '1');
      await store.set('g', 'b', '2');
      await store.set('g', 'c', '3');
      await loop;
      assert.equal(seen, ['a', 'b', 'c']);
    }));

  test('watch: with the default buffer of 16, 20 unread events leave 16 buffered and dropped === 4', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      assert.is(watcher.dropped, 0);
      for (let i = 0; i < 20; i++) await store.set('g', `k${i}`, `${i}`);
      assert.is(watcher.dropped, 4);
      const buffered = await drain(watcher);
      assert.equal(
        buffered.map((e) => e.key),
        Array.from({ length: 16 }, (_, i) => `k${i}`),
        'the oldest 16 are kept: a full buffer drops new events',
      );
      assert.is(watcher.dropped, 4);
    }));

  test('watch: the writer never waits for a full buffer (writes issued together all resolve)', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('*', '*', { bufferSize: 1 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.set('g', `k${i}`, 'v')));
      assert.is(watcher.dropped, 49);
      assert.is(await store.count('g'), 50);
      assert.is((await drain(watcher)).length, 1);
    }));

  test('watch: bufferSize sets the capacity', () =>
    withStore(h, async (store) => {
      const small = store.watch('g', '*', { bufferSize: 3 });
      const large = store.watch('g', '*', { bufferSize: 100 });
      for (let i = 0; i < 50; i++) await store.set('g', `k${i}`, 'v');
      assert.is(small.dropped, 47);
      assert.is(large.dropped, 0);
      assert.equal(
        (await drain(small)).map((e) => e.key),
        ['k0', 'k1', 'k2'],
      );
      assert.is((await drain(large)).length, 50);
    }));

  test('watch: reading frees buffer space, so a reader that keeps up drops nothing', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*', { bufferSize: 2 });
      const iterator = watcher[Symbol.asyncIterator]();
      const seen: string[] = [];
      for (let round = 0; round < 5; round++) {
        await store.set('g', `a${round}`, 'v');
        await store.set('g', `b${round}`, 'v');
        seen.push(((await iterator.next()).value as StoreEvent).key);
        seen.push(((await iterator.next()).value as StoreEvent).key);
      }
      assert.is(watcher.dropped, 0);
      assert.is(seen.length, 10);
      assert.equal(seen.slice(0, 2), ['a0', 'b0']);
      watcher.close();
    }));

  test('watch: dropped counts only events that matched this watcher', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', 'k', { bufferSize: 1 });
      for (let i = 0; i < 10; i++) await store.set('g', `other${i}`, 'v');
      await store.set('g', 'k', '1');
      await store.set('g', 'k', '2');
      assert.is(watcher.dropped, 1);
      assert.equal(
        (await drain(watcher)).map((e) => e.value),
        ['1'],
      );
    }));

  test('unwatch: ends the iteration after the events already buffered are delivered', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      await store.set('g', 'a', '1');
      await store.set('g', 'b', '2');
      store.unwatch(watcher);
      await store.set('g', 'c', '3');
      const got: StoreEvent[] = [];
      for await (const event of watcher) got.push(event);
      assert.equal(shapes(got), [setEvent('g', 'a', '1'), setEvent('g', 'b', '2')]);
    }));

  test('unwatch: a pending read resolves as done', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('g', '*');
      const pending = watcher[Symbol.asyncIterator]().next();
      store.unwatch(watcher);
      const result = await pending;
      assert.is(result.done, true);
    }));

  test('w.close(): the same as unwatch(w)', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('*', '*');
      await store.set('g', 'a', '1');
      watcher.close();
      await store.set('g', 'b', '2');
      const got: StoreEvent[] = [];
      for await (const event of watcher) got.push(event);
      assert.equal(shapes(got), [setEvent('g', 'a', '1')]);
    }));

  test('unwatch and close are idempotent, in any combination', () =>
    withStore(h, async (store) => {
      const watcher = store.watch('*', '*');
      await store.set('g', 'a', '1');
      store.unwatch(watcher);
      store.unwatch(watcher);
      watcher.close();
      watcher.close();
      store.unwatch(watcher);
      assert.equal(shapes(await drain(watcher)), [setEvent('g', 'a', '1')]);
      const other = store.watch('*', '*');
      await store.set('g', 'b', '2');
      assert.equal(shapes(await drain(other)), [setEvent('g', 'b', '2')], 'other watchers are unaffected');
    }));

  test('watch: watchers of the same pattern each receive every event', () =>
    withStore(h, async (store) => {
      const one = store.watch('g', '*');
      const two = store.watch('g', '*');
      await store.set('g', 'k', 'v');
      store.unwatch(one);
      await store.set('g', 'k2', 'v');
      assert.is((await drain(one)).length, 1);
      assert.is((await drain(two)).length, 2);
    }));

  test('onChange: calls the callback with each committed event, in order', () =>
    withStore(h, async (store) => {
      const events: StoreEvent[] = [];
      store.onChange((event) => {
        events.push(event);
      });
      await store.set('g', 'k', 'v');
      await store.delete('g', 'k');
      assert.equal(shapes(events), [setEvent('g', 'k', 'v'), deleteEvent('g', 'k')]);
    }));

  test('onChange: unregister stops the calls and is idempotent', () =>
    withStore(h, async (store) => {
      let calls = 0;
      const unregister = store.onChange(() => {
        calls++;
      });
      await store.set('g', 'k', '1');
      unregister();
      unregister();
      await store.set('g', 'k', '2');
      assert.is(calls, 1);
    }));

  test('onChange: calling an unregister twice never removes another registration', () =>
    withStore(h, async (store) => {
      let calls = 0;
      const fn = (): void => {
        calls++;
      };
      const first = store.onChange(fn);
      store.onChange(fn);
      await store.set('g', 'k', '1');
      assert.is(calls, 2, 'the same function registered twice is called twice');
      first();
      first();
      await store.set('g', 'k', '2');
      assert.is(calls, 3, 'the second registration survives the first one being unregistered twice');
    }));

  test('onChange: a callback that unregisters itself during dispatch does not make others miss the event', () =>
    withStore(h, async (store) => {
      const calls: string[] = [];
      const unregisterA: () => void = store.onChange(() => {
        calls.push('A');
        unregisterA();
      });
      store.onChange(() => {
        calls.push('B');
      });
      store.onChange(() => {
        calls.push('C');
      });
      await store.set('g', 'k', '1');
      await store.set('g', 'k', '2');
      assert.equal(calls, ['A', 'B', 'C', 'B', 'C']);
    }));

  test('onChange: a callback that unregisters an earlier one does not make later ones miss the event', () =>
    withStore(h, async (store) => {
      const calls: string[] = [];
      const unregisterA = store.onChange(() => {
        calls.push('A');
      });
      store.onChange(() => {
        calls.push('B');
        unregisterA();
      });
      store.onChange(() => {
        calls.push('C');
      });
      await store.set('g', 'k', '1');
      await store.set('g', 'k', '2');
      assert.equal(calls, ['A', 'B', 'C', 'B', 'C']);
    }));

  test('onChange: a callback registered during a dispatch is first called for the next event', () =>
    withStore(h, async (store) => {
      const calls: string[] = [];
      let registered = false;
      store.onChange((event) => {
        calls.push(`A:${event.value}`);
        if (!registered) {
          registered = true;
          store.onChange((e) => {
            calls.push(`D:${e.value}`);
          });
        }
      });
      store.onChange((event) => {
        calls.push(`B:${event.value}`);
      });
      await store.set('g', 'k', '1');
      await store.set('g', 'k', '2');
      assert.equal(calls, ['A:1', 'B:1', 'A:2', 'B:2', 'D:2']);
    }));

  test('onChange: a callback may call watch, unwatch, onChange and unregister without deadlock or skips', () =>
    withStore(h, async (store) => {
      const early = store.watch('*', '*');
      const calls: string[] = [];
      let opened: ReturnType<typeof store.watch> | undefined;
      let late: (() => void) | undefined;
      const unregister: () => void = store.onChange((event) => {
        calls.push(`A:${event.value}`);
        opened = store.watch('*', '*');
        store.unwatch(early);
        late = store.onChange((e) => {
          calls.push(`late:${e.value}`);
        });
        unregister();
      });
      store.onChange((event) => {
        calls.push(`B:${event.value}`);
        late?.();
      });
      await store.set('g', 'k', '1');
      await store.set('g', 'k', '2');
      assert.equal(calls, ['A:1', 'B:1', 'B:2']);
      const earlyValues = (await drain(early)).map((e) => e.value);
      assert.not.ok(earlyValues.includes('2'), 'a watcher unwatched during a dispatch receives no later event');
      assert.ok(opened, 'watch() inside the callback returned a watcher');
      const openedValues = (await drain(opened)).map((e) => e.value);
      assert.is(
        openedValues[openedValues.length - 1],
        '2',
        'a watcher opened during a dispatch receives the following events',
      );
    }));

  test('onChange: a callback may write to the store without deadlock; its write lands after', () =>
    withStore(h, async (store) => {
      const writes: Array<Promise<void>> = [];
      const events = record(store);
      store.onChange((event) => {
        if (event.group === 'g') writes.push(store.set('echo', event.key, event.value));
      });
      await store.set('g', 'k', 'v');
      await Promise.all(writes);
      assert.is(await store.get('echo', 'k'), 'v');
      assert.equal(shapes(events), [setEvent('g', 'k', 'v'), setEvent('echo', 'k', 'v')]);
    }));

  test('onChange: a throwing callback neither fails the write nor stops the others; onError gets the error', async () => {
    const reported: unknown[] = [];
    const boom = new Error('callback failed');
    await withStore(
      h,
      async (store) => {
        const calls: string[] = [];
        store.onChange(() => {
          calls.push('before');
        });
        store.onChange(() => {
          throw boom;
        });
        store.onChange(() => {
          calls.push('after');
        });
        const watcher = store.watch('*', '*');
        await store.set('g', 'k', 'v');
        assert.is(await store.get('g', 'k'), 'v');
        assert.equal(calls, ['before', 'after']);
        assert.equal(reported, [boom]);
        assert.is(reported[0], boom, 'the very error object thrown');
        assert.is((await drain(watcher)).length, 1);
        await store.delete('g', 'k');
        assert.equal(calls, ['before', 'after', 'before', 'after']);
        assert.is(reported.length, 2);
      },
      { onError: (error) => reported.push(error) },
    );
  });

  test('onChange: without an onError option a throwing callback is reported to console.error', async () => {
    const host = globalThis as unknown as { console: { error: (...args: unknown[]) => void } };
    const original = host.console.error;
    const logged: unknown[][] = [];
    host.console.error = (...args: unknown[]) => {
      logged.push(args);
    };
    const boom = new Error('callback failed');
    try {
      const store = await h.open({ purgeIntervalMs: 0 });
      try {
        store.onChange(() => {
          throw boom;
        });
        await store.set('g', 'k', 'v');
        assert.is(await store.get('g', 'k'), 'v');
      } finally {
        await store.close();
      }
    } finally {
      host.console.error = original;
    }
    assert.ok(
      logged.some((args) => args.includes(boom)),
      'console.error was called with the error',
    );
  });

  test('events: rejected, expired and purged rows emit nothing; only the committed writes do', () =>
    withStore(h, async (store, clock) => {
      const events = record(store);
      await store.setWithTTL('g', 'k', 'v', 10);
      clock.advance(10);
      await store.has('g', 'k');
      await store.getAll('g');
      await store.purgeExpired();
      await rejects(() => store.get('g', 'k'), NotFoundError);
      assert.equal(shapes(events), [setEvent('g', 'k', 'v')]);
    }));

  test.run();
}
