/**
 * What a D1 store promises beyond the conformance suite, run inside workerd against a real D1
 * binding: `transaction()` is refused at once, and the multi-statement operations commit as
 * one batch that fails whole — writing nothing, emitting nothing — when another writer changed
 * what they read. "Another writer" is simulated by a binding that writes through the same
 * database just before the batch reaches it, as a second isolate could.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ClosedError,
  type D1DatabaseLike,
  type D1Statement,
  DriverError,
  openD1Store,
  QuotaExceededError,
  type Store,
  type StoreEvent,
} from '../../src/index.js';

/** Wipes go-store's table, so each test starts from an empty database. */
export type ResetD1 = () => Promise<void>;

/** A binding that runs `before` (once) just before the next batch is sent. */
function interposed(db: D1DatabaseLike): { db: D1DatabaseLike; beforeNextBatch(fn: () => Promise<void>): void } {
  let pending: (() => Promise<void>) | undefined;
  return {
    db: {
      prepare: (query) => db.prepare(query),
      exec: (query) => db.exec(query),
      async batch(statements: D1Statement[]) {
        const before = pending;
        pending = undefined;
        await before?.();
        return db.batch(statements);
      },
    },
    beforeNextBatch(fn) {
      pending = fn;
    },
  };
}

async function outcome(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

function recorded(store: Store): StoreEvent[] {
  const events: StoreEvent[] = [];
  store.onChange((event) => {
    events.push(event);
  });
  return events;
}

export function d1Suite(name: string, db: D1DatabaseLike, reset: ResetD1): void {
  const test = suite(`${name}: D1`);
  test.before.each(reset);

  test('transaction: rejects at once with a DriverError naming D1, and never calls the callback', async () => {
    const store = await openD1Store(db, {});
    try {
      let called = false;
      const error = await outcome(
        store.transaction(async () => {
          called = true;
        }),
      );
      assert.instance(error, DriverError);
      assert.match((error as Error).message, /store\.transaction: D1 has no interactive transactions/);
      const scoped = await outcome(store.scope('ns').transaction(async () => undefined));
      assert.instance(scoped, DriverError, 'a scoped store refuses too');
      assert.is(called, false);
      await store.close();
      assert.instance(await outcome(store.transaction(async () => undefined)), ClosedError);
    } finally {
      await store.close();
    }
  });

  test('setMany on a scope: a quota filled by another writer before the batch commits fails whole', async () => {
    const { db: binding, beforeNextBatch } = interposed(db);
    const store = await openD1Store(binding);
    const other = await openD1Store(db);
    try {
      const events = recorded(store);
      const scoped = store.scope('q', { maxKeys: 3 });
      await scoped.set('g', 'a', '1');
      beforeNextBatch(async () => {
        await other.scope('q', { maxKeys: 3 }).set('g', 'b', '2');
      });
      const error = await outcome(scoped.setMany('g', { c: '3', d: '4' }));
      assert.instance(error, DriverError);
      assert.match((error as Error).message, /retry/);
      assert.equal(await store.groups(), ['q:g']);
      assert.is(await store.countAll('q:'), 2, 'only a and the other writer’s b: the quota held');
      assert.is(events.length, 1, 'the failed setMany emitted nothing');
      // Retried, the quota check now sees b and refuses.
      assert.instance(await outcome(scoped.setMany('g', { c: '3', d: '4' })), QuotaExceededError);
    } finally {
      await store.close();
      await other.close();
    }
  });

  test('deleteGroup: a key another writer adds before the batch commits is not removed unseen', async () => {
    const { db: binding, beforeNextBatch } = interposed(db);
    const store = await openD1Store(binding);
    const other = await openD1Store(db);
    try {
      await store.set('g', 'a', '1');
      const events = recorded(store);
      beforeNextBatch(() => other.set('g', 'late', 'v'));
      assert.instance(await outcome(store.deleteGroup('g')), DriverError);
      assert.equal(Object.keys(await store.getAll('g')).sort(), ['a', 'late'], 'nothing was deleted');
      assert.equal(events, []);
      await store.deleteGroup('g');
      assert.is(await store.count('g'), 0);
      assert.equal(
        events.map((event) => event.type),
        ['delete_group'],
      );
    } finally {
      await store.close();
      await other.close();
    }
  });

  test('deletePrefix: a batch that fails leaves every group in place', async () => {
    const { db: binding, beforeNextBatch } = interposed(db);
    const store = await openD1Store(binding);
    const other = await openD1Store(db);
    try {
      await store.set('p:1', 'k', 'v');
      await store.set('p:2', 'k', 'v');
      beforeNextBatch(() => other.set('p:3', 'k', 'v'));
      assert.instance(await outcome(store.deletePrefix('p:')), DriverError);
      assert.equal(await store.groups('p:'), ['p:1', 'p:2', 'p:3']);
      assert.is(await store.deletePrefix('p:'), 3);
    } finally {
      await store.close();
      await other.close();
    }
  });

  test('deleteGroup: live and expired rows go in one batch; only live ones make the event', async () => {
    let now = 1_000;
    const store = await openD1Store(db, { now: () => now });
    try {
      await store.setWithTTL('g', 'old', 'v', 10);
      await store.set('g', 'live', 'v');
      now += 10;
      const events = recorded(store);
      await store.deleteGroup('g');
      assert.equal(
        events.map((event) => event.type),
        ['delete_group'],
      );
      assert.is(await store.purgeExpired(), 0, 'the expired row went with the group');
      await store.setWithTTL('h', 'old', 'v', 10);
      now += 10;
      await store.deleteGroup('h');
      assert.is(
        events.filter((event) => event.type === 'delete_group').length,
        1,
        'a group of expired rows emits nothing',
      );
    } finally {
      await store.close();
    }
  });

  test('quotas hold across stores on one database (as across isolates): 40 concurrent sets, maxKeys 10', async () => {
    const stores = await Promise.all([openD1Store(db), openD1Store(db)]);
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          (stores[i % 2] as Store).scope('q', { maxKeys: 10 }).set('g', `k${i}`, 'v'),
        ),
      );
      assert.is(results.filter((result) => result.status === 'fulfilled').length, 10);
      assert.is(await (stores[0] as Store).countAll('q:'), 10);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  test('openD1Store: anything but a binding rejects with InvalidArgumentError', async () => {
    for (const bad of [null, {}, 'DB']) {
      const error = await outcome(openD1Store(bad as unknown as D1DatabaseLike));
      assert.is((error as { code?: string }).code, 'INVALID_ARGUMENT');
    }
  });

  test.run();
}
