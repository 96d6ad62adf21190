/**
 * docs/api.md, "Methods" (`close`): `close()` — idempotent, waits for the calls already issued (an open transaction
 * included), ends every watcher's iteration, and makes every later call fail with ClosedError.
 */
import { ClosedError, type Store } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect, record, setEvent, shapes } from './event-shapes.js';
import { Clock, defineSuite, type Harness, rejects, throwsSync } from './support.js';
import { deferred, tick } from './timing.js';

/** Every Promise-returning method of a store, called with valid arguments. */
function promiseCalls(store: Store): Array<[string, () => Promise<unknown>]> {
  return [
    ['get', () => store.get('g', 'k')],
    ['has', () => store.has('g', 'k')],
    ['set', () => store.set('g', 'k', 'v')],
    ['setWithTTL', () => store.setWithTTL('g', 'k', 'v', 1_000)],
    ['delete', () => store.delete('g', 'k')],
    ['deleteGroup', () => store.deleteGroup('g')],
    ['getAll', () => store.getAll('g')],
    ['count', () => store.count('g')],
    ['countAll', () => store.countAll()],
    ['groups', () => store.groups()],
    ['getSplit', () => store.getSplit('g', 'k', ',')],
    ['getFields', () => store.getFields('g', 'k')],
    ['render', () => store.render('{{ .k }}', 'g')],
    ['purgeExpired', () => store.purgeExpired()],
    ['setMany', () => store.setMany('g', { k: 'v' })],
    ['setMany (no entries)', () => store.setMany('g', {})],
    ['getMany', () => store.getMany('g', ['k'])],
    ['deletePrefix', () => store.deletePrefix('g')],
    ['getPage', () => store.getPage('g', { limit: 10 })],
    ['transaction', () => store.transaction(async () => 'never run')],
    ['close', () => store.close()],
  ];
}

async function openAt(h: Harness): Promise<{ store: Store; clock: Clock }> {
  const clock = new Clock();
  const store = await h.open({ now: clock.now, purgeIntervalMs: 0 });
  return { store, clock };
}

export function closedSuite(h: Harness): void {
  const test = defineSuite(h, 'closed store');

  test('close: resolves, and is idempotent (later and concurrent calls resolve too)', async () => {
    const { store } = await openAt(h);
    await store.set('g', 'k', 'v');
    const first = store.close();
    const second = store.close();
    assert.is(await first, undefined);
    assert.is(await second, undefined);
    assert.is(await store.close(), undefined);
  });

  test('close: every Promise method then rejects with ClosedError (code CLOSED), never throwing synchronously', async () => {
    const { store } = await openAt(h);
    await store.set('g', 'k', 'v');
    await store.close();
    for (const [name, call] of promiseCalls(store)) {
      if (name === 'close') continue;
      const error = await rejects(call, ClosedError, 'CLOSED', `store.${name} after close`);
      assert.is(error.code, 'CLOSED');
    }
  });

  test('close: iterating all() or groupsSeq() afterwards fails with ClosedError', async () => {
    const { store } = await openAt(h);
    await store.set('g', 'k', 'v');
    await store.close();
    const iterations: Array<[string, () => AsyncIterable<unknown>]> = [
      ['all', () => store.all('g')],
      ['groupsSeq', () => store.groupsSeq()],
    ];
    for (const [name, iterable] of iterations) {
      let caught: unknown;
      try {
        await collect(iterable());
      } catch (error) {
        caught = error;
      }
      assert.instance(caught, ClosedError, `${name} after close`);
    }
  });

  test('close: watch, onChange and scope then throw ClosedError synchronously', async () => {
    const { store } = await openAt(h);
    await store.close();
    throwsSync(() => store.watch('*', '*'), ClosedError, 'CLOSED', 'watch');
    throwsSync(() => store.onChange(() => undefined), ClosedError, 'CLOSED', 'onChange');
    throwsSync(() => store.scope('ns'), ClosedError, 'CLOSED', 'scope');
  });

  test('close: ends every watcher; unwatch and close of one afterwards are harmless no-ops', async () => {
    const { store } = await openAt(h);
    const watcher = store.watch('*', '*');
    await store.set('g', 'k', 'v');
    await store.close();
    assert.ok(watcher.closed, 'close() ended the watcher');
    store.unwatch(watcher);
    watcher.close();
    assert.ok(watcher.closed);
    const events = await collect(watcher);
    assert.equal(
      events.map((e) => `${e.type} ${e.group}/${e.key}`),
      ['set g/k'],
      'the event buffered before close is still delivered, then the iteration ends',
    );
    assert.is(watcher.dropped, 0);
  });

  test('close: a ScopedStore made before close rejects with ClosedError afterwards', async () => {
    const { store } = await openAt(h);
    const scoped = store.scope('ns', { maxKeys: 10 });
    await scoped.set('g', 'k', 'v');
    await store.close();
    await rejects(() => scoped.get('g', 'k'), ClosedError, 'CLOSED', 'scoped get');
    await rejects(() => scoped.set('g', 'k', 'v'), ClosedError, 'CLOSED', 'scoped set');
    await rejects(() => scoped.countAll(), ClosedError, 'CLOSED', 'scoped countAll');
    await rejects(() => scoped.groups(), ClosedError, 'CLOSED', 'scoped groups');
    await rejects(() => scoped.transaction(async () => undefined), ClosedError, 'CLOSED', 'scoped transaction');
  });

  test('close: waits for the operations already issued, which all succeed', async () => {
    const { store } = await openAt(h);
    const settled: string[] = [];
    const writes = Array.from({ length: 50 }, (_, i) =>
      store.set('g', `k${i}`, `${i}`).then(() => {
        settled.push(`set${i}`);
      }),
    );
    const read = store.count('g').then((n) => {
      settled.push(`count=${n}`);
    });
    const closing = store.close().then(() => {
      settled.push('close');
    });
    await Promise.all([...writes, read, closing]);
    assert.is(settled[settled.length - 1], 'close', 'close resolves last');
    assert.ok(settled.includes('count=50'), 'the read issued before close ran after the writes issued before it');
    assert.is(settled.length, 52);
  });

  test('close: calls made after close() was called, before it resolves, reject with ClosedError', async () => {
    const { store } = await openAt(h);
    const pending = store.set('g', 'a', '1');
    const closing = store.close();
    await rejects(() => store.set('g', 'b', '2'), ClosedError, 'CLOSED');
    await rejects(() => store.get('g', 'a'), ClosedError, 'CLOSED');
    await pending;
    await closing;
  });

  test('close: waits for an open transaction, which commits', async () => {
    const { store } = await openAt(h);
    const events = record(store);
    const gate = deferred();
    const entered = deferred();
    let closed = false;
    const transaction = store.transaction(async (tx) => {
      await tx.set('g', 'a', '1');
      entered.resolve();
      await gate.promise;
      await tx.set('g', 'b', '2');
      return 'committed';
    });
    try {
      await entered.promise;
      const closing = store.close().then(() => {
        closed = true;
      });
      for (let i = 0; i < 5; i++) await tick();
      assert.is(closed, false, 'close must not resolve while the transaction is open');
      gate.resolve();
      assert.is(await transaction, 'committed');
      await closing;
      assert.is(closed, true);
      assert.equal(shapes(events), [setEvent('g', 'a', '1'), setEvent('g', 'b', '2')]);
    } finally {
      gate.resolve();
      await store.close();
    }
  });

  test("close: ends every watcher's iteration, pending reads included", async () => {
    const { store } = await openAt(h);
    const idle = store.watch('nothing', '*');
    const busy = store.watch('g', '*');
    const pending = idle[Symbol.asyncIterator]().next();
    const loop = collect(busy);
    await store.set('g', 'k', 'v');
    await store.close();
    assert.is((await pending).done, true, 'a read pending at close resolves as done');
    assert.equal(shapes(await loop), [setEvent('g', 'k', 'v')], 'a for-await loop ends at close');
    assert.is((await idle[Symbol.asyncIterator]().next()).done, true);
    assert.is((await busy[Symbol.asyncIterator]().next()).done, true);
  });

  test('close: a callback registered with onChange is not called for writes refused after close', async () => {
    const { store } = await openAt(h);
    const events = record(store);
    await store.close();
    await rejects(() => store.set('g', 'k', 'v'), ClosedError, 'CLOSED');
    assert.equal(events, []);
  });

  test.run();
}
