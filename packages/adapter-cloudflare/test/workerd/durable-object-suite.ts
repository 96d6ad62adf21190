/**
 * What a Durable Object store promises beyond the conformance suite, run inside a SQLite-backed
 * object in workerd: transactions are the object's own (a callback may await timers and
 * `fetch`), the data sits in go-store's `kv` table where raw SQL reads it, and an object
 * without SQLite is refused with a message naming `new_sqlite_classes`.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type DurableObjectStorageLike, openDurableObjectStore, type Store } from '../../src/index.js';

/** Wipes go-store's table, so each test starts from an empty database. */
export type ResetObject = () => void;

const SELECT_ROWS = 'SELECT grp, key, value, expires_at FROM kv ORDER BY grp, key';

function rows(storage: DurableObjectStorageLike): unknown[][] {
  return Array.from(storage.sql.exec(SELECT_ROWS).raw());
}

async function withStore(storage: DurableObjectStorageLike, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await openDurableObjectStore(storage, { now: () => 1_000 });
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export function durableObjectSuite(name: string, storage: DurableObjectStorageLike, reset: ResetObject): void {
  const test = suite(`${name}: Durable Object`);
  test.before.each(reset);

  test('the data is go-store’s kv table, as raw SQL in the object reads it', () =>
    withStore(storage, async (store) => {
      await store.set('g', 'k', 'v');
      await store.setWithTTL('g', 't', 'w', 500);
      assert.equal(rows(storage), [
        ['g', 'k', 'v', null],
        ['g', 't', 'w', 1_500],
      ]);
    }));

  test('transaction: a callback that awaits a timer and a failed fetch still commits in one piece', () =>
    withStore(storage, async (store) => {
      await store.transaction(async (tx) => {
        await tx.set('g', 'a', '1');
        await new Promise((resolve) => setTimeout(resolve, 5));
        await fetch('http://127.0.0.1:9/').catch(() => undefined);
        await tx.set('g', 'b', '2');
        assert.equal(rows(storage).length, 2, 'inside, raw SQL sees the transaction’s writes');
      });
      assert.equal(rows(storage).length, 2);
    }));

  test('transaction: a callback that throws after awaiting a timer leaves no row behind', () =>
    withStore(storage, async (store) => {
      await store.set('g', 'kept', 'v');
      const boom = new Error('boom');
      const outcome = await store
        .transaction(async (tx) => {
          await tx.set('g', 'a', '1');
          await tx.deleteGroup('g');
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw boom;
        })
        .catch((error: unknown) => error);
      assert.is(outcome, boom);
      assert.equal(rows(storage), [['g', 'kept', 'v', null]]);
    }));

  test('setMany, deleteGroup and deletePrefix commit in the object’s transaction', () =>
    withStore(storage, async (store) => {
      await store.setMany('p:1', { a: '1', b: '2' });
      await store.setMany('p:2', [['c', '3']]);
      assert.is(await store.deletePrefix('p:'), 3);
      await store.setMany('g', { a: '1' });
      await store.deleteGroup('g');
      assert.equal(rows(storage), []);
    }));

  test('openDurableObjectStore: anything but ctx.storage rejects with InvalidArgumentError', async () => {
    for (const bad of [null, {}, 'storage']) {
      const error = await openDurableObjectStore(bad as unknown as DurableObjectStorageLike).catch((e: unknown) => e);
      assert.is((error as { code?: string }).code, 'INVALID_ARGUMENT');
    }
  });

  test.run();
}
