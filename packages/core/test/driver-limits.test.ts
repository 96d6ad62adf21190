/**
 * Drivers whose engine cannot do everything: one with a small string limit still reads a big
 * group (row by row, once the JSON aggregate is refused), and one that declares
 * `transactionsUnsupported` has `transaction()` refused at once, on the store and its scopes,
 * while its other operations work.
 */

import { ClosedError, createStore, DriverError, InvalidArgumentError, type SqlDriver } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

async function sqlJsDriver(): Promise<SqlDriver> {
  const SQL = await loadSqlJs();
  return createSqlJsDriver(new SQL.Database());
}

test('getAll and render: a group whose JSON aggregate the engine refuses is read row by row', async () => {
  for (const asynchronous of [false, true]) {
    const inner = await sqlJsDriver();
    const refuse = (sql: string) => {
      if (sql.includes('json_group_array')) throw new Error('string or blob too big: SQLITE_TOOBIG');
    };
    const driver: SqlDriver = {
      ...inner,
      get: (sql, params) => {
        if (!asynchronous) {
          refuse(sql);
          return inner.get(sql, params);
        }
        return Promise.resolve().then(() => {
          refuse(sql);
          return inner.get(sql, params);
        });
      },
    };
    const store = await createStore(driver, { purgeIntervalMs: 0 });
    try {
      await store.setMany('g', { a: '1', b: 'two\u0000' });
      assert.equal({ ...(await store.getAll('g')) }, { a: '1', b: 'two\u0000' }, `asynchronous: ${asynchronous}`);
      assert.is(await store.render('{{.a}}', 'g'), '1');
    } finally {
      await store.close();
    }
  }
});

test('transactionsUnsupported: transaction() rejects at once with that reason, on the store and its scopes', async () => {
  const driver: SqlDriver = { ...(await sqlJsDriver()), transactionsUnsupported: 'no interactive transactions here' };
  const store = await createStore(driver, { purgeIntervalMs: 0 });
  let called = false;
  const callback = async () => {
    called = true;
  };
  for (const run of [() => store.transaction(callback), () => store.scope('ns').transaction(callback)]) {
    const error = await run().catch((e: unknown) => e);
    assert.instance(error, DriverError);
    assert.is((error as Error).message, 'store.transaction: no interactive transactions here');
  }
  assert.instance(await store.transaction(42 as never).catch((e: unknown) => e), InvalidArgumentError);
  assert.is(called, false);
  await store.setMany('g', { a: '1' });
  assert.is(await store.deletePrefix('g'), 1, 'the multi-statement operations still work');
  await store.close();
  assert.instance(await store.transaction(callback).catch((e: unknown) => e), ClosedError);
});

test.run();
