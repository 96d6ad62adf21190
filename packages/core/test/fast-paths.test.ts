/**
 * The store's calls on a free lock run at once (no lock.run closures): they still take effect
 * in call order, their events come once each in commit order and only for writes that
 * resolve, failures stay typed, and a listener may call the store from inside its callback.
 */
import { ClosedError, createStore, DriverError, type SqlDriver, type StoreEvent } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { later } from './later.js';

interface Options {
  async?: boolean;
  concurrentReads?: boolean;
  sync?: () => Promise<void>;
  fail?: (sql: string) => boolean;
}

async function driver(options: Options = {}): Promise<SqlDriver> {
  const SQL = await loadSqlJs();
  const inner = createSqlJsDriver(new SQL.Database());
  const wrap = <T>(sql: string, fn: () => T): T | Promise<T> => {
    const call = (): T => {
      if (options.fail?.(sql)) throw new Error(`injected: ${sql.slice(0, 20)}`);
      return fn();
    };
    return options.async ? later(call) : call();
  };
  return {
    all: (sql, params) => wrap(sql, () => inner.all(sql, params)),
    get: (sql, params) => wrap(sql, () => inner.get(sql, params)),
    run: (sql, params) => wrap(sql, () => inner.run(sql, params)),
    exec: (sql) => wrap(sql, () => inner.exec(sql)),
    begin: () => wrap('BEGIN', () => inner.begin()),
    commit: () => wrap('COMMIT', () => inner.commit()),
    rollback: () => wrap('ROLLBACK', () => inner.rollback()),
    close: () => inner.close(),
    ...(options.concurrentReads ? { concurrentReads: true } : {}),
    ...(options.sync ? { sync: options.sync } : {}),
  };
}

const kinds: [string, Options][] = [
  ['sync driver', {}],
  ['async driver', { async: true }],
  ['async driver with concurrent reads', { async: true, concurrentReads: true }],
  ['async driver with sync()', { async: true, sync: () => later(() => undefined) }],
];

for (const [name, options] of kinds) {
  test(`${name}: interleaved reads, writes and transactions take effect in call order; events once, in order`, async () => {
    const store = await createStore(await driver(options), { purgeIntervalMs: 0 });
    const events: string[] = [];
    store.onChange((event) => events.push(`${event.type}:${event.key}=${event.value}`));
    const calls: Promise<unknown>[] = [];
    const reads: [number, Promise<string | undefined>][] = [];
    const expected: string[] = [];
    const expectedReads = new Map<number, string | undefined>();
    let value: string | undefined;
    for (let i = 0; i < 60; i++) {
      const roll = (i * 7919) % 5;
      if (roll === 0 || roll === 1) {
        value = `v${i}`;
        calls.push(store.set('g', 'k', value));
        expected.push(`set:k=${value}`);
      } else if (roll === 2) {
        reads.push([i, store.get('g', 'k').catch(() => undefined)]);
        expectedReads.set(i, value);
      } else if (roll === 3) {
        if (value !== undefined) expected.push('delete:k=');
        value = undefined;
        calls.push(store.delete('g', 'k'));
      } else {
        const v = `t${i}`;
        value = v;
        calls.push(store.transaction(async (tx) => tx.set('g', 'k', v)));
        expected.push(`set:k=${v}`);
      }
    }
    await Promise.all(calls);
    for (const [i, read] of reads) assert.is(await read, expectedReads.get(i), `read ${i}`);
    assert.equal(events, expected);
    await store.close();
  });
}
for (const [name, options] of kinds) {
  test(`${name}: a failing single write rejects with DriverError, emits nothing, and frees the lock`, async () => {
    let failing = false;
    const store = await createStore(await driver({ ...options, fail: (sql) => failing && /^\s*INSERT/i.test(sql) }), {
      purgeIntervalMs: 0,
    });
    const events: StoreEvent[] = [];
    store.onChange((event) => events.push(event));
    failing = true;
    const rejected = await store.set('g', 'k', 'v').then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.instance(rejected, DriverError);
    assert.match(String((rejected as Error).message), /store\.set/);
    failing = false;
    await store.set('g', 'k', 'w');
    assert.is(await store.get('g', 'k'), 'w');
    assert.equal(
      events.map((event) => event.value),
      ['w'],
    );
    await store.close();
  });

  test(`${name}: a listener calling the store from inside its callback runs after the write, in order`, async () => {
    const store = await createStore(await driver(options), { purgeIntervalMs: 0 });
    const seen: string[] = [];
    const nested: Promise<unknown>[] = [];
    store.onChange((event) => {
      seen.push(`${event.key}=${event.value}`);
      if (event.key === 'a') {
        nested.push(store.get('g', 'b').catch(() => 'absent'));
        nested.push(store.set('g', 'b', `from ${event.value}`));
        nested.push(store.transaction(async (tx) => tx.set('g', 'c', 'in tx')));
      }
    });
    await store.set('g', 'a', '1');
    const [read] = await Promise.all(nested);
    // The read was called before the nested set: it does not see it.
    assert.is(read, 'absent');
    assert.equal(seen, ['a=1', 'b=from 1', 'c=in tx']);
    await store.close();
  });

  test(`${name}: close() while calls are in flight lets them finish; later calls reject with ClosedError`, async () => {
    const store = await createStore(await driver(options), { purgeIntervalMs: 0 });
    const events: string[] = [];
    store.onChange((event) => events.push(event.key));
    const inFlight = [store.set('g', 'a', '1'), store.get('g', 'a'), store.set('g', 'b', '2')];
    const closing = store.close();
    const after = store.set('g', 'c', '3').then(
      () => undefined,
      (error: unknown) => error,
    );
    const results = await Promise.all(inFlight);
    assert.is(results[1], '1');
    await closing;
    assert.instance(await after, ClosedError);
    assert.equal(events, ['a', 'b']);
  });
}

test('a read never overtakes a write issued before it, with concurrent reads in flight', async () => {
  const store = await createStore(await driver({ async: true, concurrentReads: true }), { purgeIntervalMs: 0 });
  await store.set('g', 'k', 'old');
  const first = store.get('g', 'k');
  const write = store.set('g', 'k', 'new');
  const second = store.get('g', 'k');
  assert.is(await first, 'old');
  await write;
  assert.is(await second, 'new');
  await store.close();
});

test('a write whose sync() fails emits nothing; the events of writes made durable go out in commit order', async () => {
  let calls = 0;
  const store = await createStore(
    await driver({
      sync: () => {
        calls += 1;
        const n = calls;
        // The second write's sync fails; the first's answers after the third's.
        return new Promise((resolve, reject) =>
          setTimeout(() => (n === 2 ? reject(new Error('fsync failed')) : resolve()), n === 1 ? 20 : 1),
        );
      },
    }),
    { purgeIntervalMs: 0 },
  );
  const events: string[] = [];
  store.onChange((event) => events.push(event.value));
  const a = store.set('g', 'k', 'a');
  const b = store.set('g', 'k', 'b').then(
    () => 'resolved',
    (error: unknown) => (error instanceof DriverError ? 'DriverError' : String(error)),
  );
  const c = store.set('g', 'k', 'c');
  await Promise.all([a, c]);
  assert.is(await b, 'DriverError');
  assert.equal(events, ['a', 'c']);
  await store.close();
});

test.run();
