/**
 * The store over a driver shared by several stores (browser tabs): events travel through the
 * driver (logged with each commit, dispatched by the driver, never emitted by the store
 * itself), a plain write is run again after a retryable failure while a transaction rejects
 * with it, and reads made together are in flight together when the driver allows it, without
 * ever overtaking an earlier write.
 */

import {
  createStore,
  DriverError,
  type MaybePromise,
  type SharedEvents,
  type SqlDriver,
  type StoreEvent,
  type StoreOptions,
} from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { later } from './later.js';

interface Harness {
  driver: SqlDriver;
  /** The events logged with each commit, in commit order. */
  logged: StoreEvent[][];
  /** Dispatches events as the driver would for another store's commit. */
  dispatch(events: StoreEvent[]): void;
  /** Makes the next `n` commits fail as a lost leader would (retryable, nothing written). */
  failCommits(n: number): void;
  /** The most reads in flight at once so far, and the calls in the order they started. */
  maxReads(): number;
  calls: string[];
}

/** A sql.js driver answering a turn later, with shared events that dispatch what commits. */
async function sharedDriver(concurrentReads: boolean): Promise<Harness> {
  const SQL = await loadSqlJs();
  const inner = createSqlJsDriver(new SQL.Database());
  const logged: StoreEvent[][] = [];
  // What `log` staged for the open transaction; undefined when it was not called (the schema's own
  // transactions), and then nothing is logged.
  let staged: readonly StoreEvent[] | undefined;
  let dispatch: (events: readonly StoreEvent[]) => void = () => undefined;
  let failing = 0;
  let reads = 0;
  let max = 0;
  const calls: string[] = [];
  const read = async <T>(name: string, fn: () => MaybePromise<T>): Promise<T> => {
    calls.push(name);
    reads++;
    max = Math.max(max, reads);
    try {
      return await later(fn);
    } finally {
      reads--;
    }
  };
  const events: SharedEvents = {
    log: (list) => {
      staged = list;
    },
    subscribe: (fn) => {
      dispatch = fn;
    },
  };
  const driver: SqlDriver = {
    concurrentReads,
    events,
    all: (sql, params) => read('all', () => inner.all(sql, params)),
    get: (sql, params) => read('get', () => inner.get(sql, params)),
    run: (sql, params) => {
      calls.push('run');
      return later(() => inner.run(sql, params));
    },
    exec: (sql) => later(() => inner.exec(sql)),
    begin: () =>
      later(() => {
        staged = undefined;
        inner.begin();
      }),
    commit: () =>
      later(() => {
        if (failing > 0) {
          failing--;
          throw new DriverError('the leader went away', undefined, { retryable: true });
        }
        inner.commit();
        if (staged !== undefined) {
          logged.push([...staged]);
          dispatch(staged);
        }
      }),
    rollback: () => later(() => inner.rollback()),
    close: () => later(() => inner.close()),
  };
  return {
    driver,
    logged,
    dispatch: (list) => dispatch(list),
    failCommits: (n) => {
      failing = n;
    },
    maxReads: () => max,
    calls,
  };
}

const options: StoreOptions = { purgeIntervalMs: 0 };

test('shared driver: every write is logged with its events before it commits; the store emits only what the driver dispatches', async () => {
  const harness = await sharedDriver(false);
  const store = await createStore(harness.driver, options);
  const seen: string[] = [];
  store.onChange((event) => seen.push(`${event.type} ${event.group} ${event.key}`));
  await store.set('g', 'k', 'v');
  await store.delete('g', 'k');
  await store.delete('g', 'missing');
  assert.equal(
    harness.logged.map((list) => list.map((e) => e.type)),
    [['set'], ['delete'], []],
  );
  assert.equal(seen, ['set g k', 'delete g k']);
  // Another store's commit, dispatched by the driver, reaches this store's listeners too.
  harness.dispatch([{ type: 'set', group: 'other', key: 'x', value: 'y', timestamp: new Date(0) }]);
  assert.equal(seen, ['set g k', 'delete g k', 'set other x']);
  await store.close();
});

test('shared driver: a plain write that fails as retryable is run again, once, and applied once', async () => {
  const harness = await sharedDriver(false);
  const store = await createStore(harness.driver, options);
  harness.failCommits(2);
  await store.set('g', 'k', 'v');
  assert.is(await store.get('g', 'k'), 'v');
  assert.equal(
    harness.logged.map((list) => list.map((e) => `${e.type} ${e.key}`)),
    [['set k']],
  );
  await store.close();
});

test('shared driver: a transaction that fails as retryable rejects with that error and writes nothing', async () => {
  const harness = await sharedDriver(false);
  const store = await createStore(harness.driver, options);
  harness.failCommits(1);
  const error = await store
    .transaction(async (tx) => {
      await tx.set('g', 'k', 'v');
    })
    .catch((e: unknown) => e);
  assert.instance(error, DriverError);
  assert.is((error as DriverError).retryable, true);
  assert.is(await store.has('g', 'k'), false);
  assert.equal(harness.logged, []);
  await store.close();
});

test('concurrentReads: reads made together are in flight together, and none overtakes an earlier write', async () => {
  const harness = await sharedDriver(true);
  const store = await createStore(harness.driver, options);
  await store.set('g', 'k', 'old');
  harness.calls.length = 0;
  const first = [store.get('g', 'k'), store.get('g', 'k'), store.get('g', 'k')];
  const write = store.set('g', 'k', 'new');
  const after = store.get('g', 'k');
  assert.equal(await Promise.all(first), ['old', 'old', 'old']);
  await write;
  assert.is(await after, 'new');
  assert.ok(harness.maxReads() >= 3, `at most ${harness.maxReads()} reads in flight`);
  assert.equal(harness.calls, ['get', 'get', 'get', 'run', 'get']);
  await store.close();
});

test('without concurrentReads, reads stay one at a time', async () => {
  const harness = await sharedDriver(false);
  const store = await createStore(harness.driver, options);
  await store.set('g', 'k', 'v');
  await Promise.all([store.get('g', 'k'), store.get('g', 'k'), store.get('g', 'k')]);
  assert.is(harness.maxReads(), 1);
  await store.close();
});

test.run();
