/**
 * The store over drivers that misbehave or answer asynchronously: engine failures become
 * DriverErrors naming the operation, group and key, with the engine's error as `cause`; a
 * transaction in which the engine failed cannot commit; and quota check + write stay atomic
 * when every driver call is a Promise (as through the browser's main-thread proxy).
 */

import {
  createStore,
  DriverError,
  QuotaExceededError,
  type SqlDriver,
  type StoreEvent,
  type StoreOptions,
} from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { later } from './later.js';

/** A sql.js driver whose calls pass through `intercept` first. */
async function driverWith(intercept: (method: keyof SqlDriver, sql: string) => void): Promise<SqlDriver> {
  const SQL = await loadSqlJs();
  const inner = createSqlJsDriver(new SQL.Database());
  return {
    all: (sql, params) => {
      intercept('all', sql);
      return inner.all(sql, params);
    },
    get: (sql, params) => {
      intercept('get', sql);
      return inner.get(sql, params);
    },
    run: (sql, params) => {
      intercept('run', sql);
      return inner.run(sql, params);
    },
    exec: (sql) => {
      intercept('exec', sql);
      return inner.exec(sql);
    },
    begin: () => {
      intercept('begin', '');
      return inner.begin();
    },
    commit: () => {
      intercept('commit', '');
      return inner.commit();
    },
    rollback: () => {
      intercept('rollback', '');
      return inner.rollback();
    },
    close: () => inner.close(),
  };
}

/** The same driver, every answer delivered as a Promise a turn later. */
async function asyncDriver(): Promise<SqlDriver> {
  const SQL = await loadSqlJs();
  const inner = createSqlJsDriver(new SQL.Database());
  return {
    all: (sql, params) => later(() => inner.all(sql, params)),
    get: (sql, params) => later(() => inner.get(sql, params)),
    run: (sql, params) => later(() => inner.run(sql, params)),
    exec: (sql) => later(() => inner.exec(sql)),
    begin: () => later(() => inner.begin()),
    commit: () => later(() => inner.commit()),
    rollback: () => later(() => inner.rollback()),
    close: () => later(() => inner.close()),
  };
}

const options: StoreOptions = { purgeIntervalMs: 0 };

test('an engine failure rejects with DriverError naming the operation, group and key, with the engine error as cause', async () => {
  const failure = new Error('disk I/O error');
  let failWrites = false;
  const store = await createStore(
    await driverWith((method, sql) => {
      if (failWrites && method === 'run' && sql.startsWith('INSERT')) throw failure;
    }),
    options,
  );
  const events: StoreEvent[] = [];
  store.onChange((event) => events.push(event));
  failWrites = true;
  const error = await store.set('config', 'theme', 'dark').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, DriverError);
  assert.is((error as DriverError).code, 'DRIVER');
  assert.is((error as DriverError).cause, failure);
  assert.ok((error as DriverError).message.startsWith('store.set: config/theme: '), (error as DriverError).message);
  assert.ok((error as DriverError).message.includes('disk I/O error'));
  assert.equal(events, [], 'a rejected write emits nothing');
  failWrites = false;
  assert.is(await store.has('config', 'theme'), false, 'and writes nothing');
  await store.close();
});

test('a transaction in which the engine failed rolls back whole and rejects with that DriverError, even if the callback caught it', async () => {
  let failNextUpsertAfter = -1;
  let upserts = 0;
  const store = await createStore(
    await driverWith((method, sql) => {
      if (method === 'run' && sql.startsWith('INSERT') && failNextUpsertAfter >= 0 && ++upserts > failNextUpsertAfter) {
        failNextUpsertAfter = -1;
        throw new Error('database or disk is full');
      }
    }),
    options,
  );
  const events: StoreEvent[] = [];
  store.onChange((event) => events.push(event));
  const error = await store
    .transaction(async (tx) => {
      upserts = 0;
      failNextUpsertAfter = 1; // the second entry of the setMany fails, after the first was applied
      await tx.setMany('g', { a: '1', b: '2' }).catch(() => undefined);
      await tx.set('g', 'c', '3');
      return 'committed';
    })
    .then(
      (value) => value,
      (e: unknown) => e,
    );
  assert.instance(error, DriverError);
  assert.ok((error as DriverError).message.startsWith('store.setMany: g: '), (error as DriverError).message);
  assert.equal(await store.getAll('g'), Object.create(null), 'nothing of the transaction was written');
  assert.equal(events, [], 'and nothing was emitted');
  await store.close();
});

test("a failing rollback and an onError that throws do not replace the callback's own error", async () => {
  const store = await createStore(
    await driverWith((method) => {
      if (method === 'rollback') throw new Error('rollback failed');
    }),
    {
      ...options,
      onError: () => {
        throw new Error('onError failed too');
      },
    },
  );
  const mine = new Error('from the callback');
  const error = await store
    .transaction(async (tx) => {
      await tx.set('g', 'k', 'v');
      throw mine;
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  assert.is(error, mine);
});

test('with a driver that answers every call asynchronously, 200 concurrent scoped sets against maxKeys 50 leave exactly 50 keys', async () => {
  const store = await createStore(await asyncDriver(), options);
  const scoped = store.scope('tenant', { maxKeys: 50 });
  const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => scoped.set('g', `k${i}`, 'v')));
  const refused = outcomes.filter((o) => o.status === 'rejected');
  assert.is(outcomes.length - refused.length, 50);
  assert.is(refused.length, 150);
  for (const o of refused) assert.instance((o as PromiseRejectedResult).reason, QuotaExceededError);
  assert.is(await scoped.countAll(), 50);
  assert.is(await store.countAll(), 50);
  await store.close();
});

test('with an asynchronous driver, events follow commit order and transactions do not interleave', async () => {
  const store = await createStore(await asyncDriver(), options);
  const seen: string[] = [];
  store.onChange((event) => seen.push(`${event.key}=${event.value}`));
  const tx = store.transaction(async (t) => {
    await t.set('g', 'k', 'tx-1');
    await t.set('g', 'k', 'tx-2');
  });
  const outside = store.set('g', 'k', 'outside');
  await Promise.all([tx, outside]);
  assert.equal(seen, ['k=tx-1', 'k=tx-2', 'k=outside']);
  assert.is(await store.get('g', 'k'), 'outside');
  await store.close();
});

test('a write whose sync rejects emits no event; events of durable writes follow commit order even when syncs settle out of order', async () => {
  const inner = await driverWith(() => undefined);
  // Each write's sync is settled by the test: resolved or rejected, in any order.
  const syncs: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  const driver: SqlDriver = {
    ...inner,
    sync: () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
  };
  const store = await createStore(driver, options);
  const seen: string[] = [];
  store.onChange((event) => seen.push(event.key));
  const settled = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (error: unknown) => error,
    );
  const a = settled(store.set('g', 'a', '1'));
  const b = settled(store.transaction(async (tx) => tx.set('g', 'b', '2')));
  const c = settled(store.set('g', 'c', '3'));
  while (syncs.length < 3) await new Promise((resolve) => setImmediate(resolve));
  syncs[2].resolve();
  syncs[1].reject(new Error('EIO: fsync failed'));
  await c;
  assert.equal(seen, [], 'c waits for the writes committed before it');
  syncs[0].resolve();
  assert.is(await a, 'ok');
  const failed = await b;
  assert.ok(failed instanceof DriverError && /EIO/.test(failed.message), String(failed));
  assert.equal(seen, ['a', 'c'], 'the rejected write emitted nothing; the others in commit order');
  await store.close();
});

test.run();
