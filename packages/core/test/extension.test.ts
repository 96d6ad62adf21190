/**
 * The two small seams packages built on the store use: `store.now()` reads the store's clock,
 * and `tx.sql` runs SQL on tables of their own inside a transaction, committing or rolling back
 * with the transaction's writes.
 */
import { ClosedError, createStore, type Store } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

async function open(now: () => number): Promise<Store> {
  const SQL = await loadSqlJs();
  return createStore(createSqlJsDriver(new SQL.Database()), { now, purgeIntervalMs: 0 });
}

test('now: reads the clock the store was opened with, every time it is called', async () => {
  let clock = 1_000;
  const store = await open(() => clock);
  assert.is(store.now(), 1_000);
  clock = 5_000;
  assert.is(store.now(), 5_000);
  await store.close();
});

test('tx.sql: statements commit with the transaction and see its writes', async () => {
  const store = await open(() => 1);
  await store.transaction(async (tx) => {
    await tx.sql.exec('CREATE TABLE side (name TEXT PRIMARY KEY, n INTEGER)');
    await tx.set('g', 'k', 'v');
    assert.is(await tx.sql.run('INSERT INTO side VALUES (?1, ?2)', ['a', 1]), 1);
    assert.equal(await tx.sql.all("SELECT value FROM kv WHERE grp = 'g'"), [['v']]);
  });
  const rows = await store.transaction((tx) => tx.sql.all('SELECT name, n FROM side'));
  assert.equal(rows, [['a', 1]]);
  await store.close();
});

test('tx.sql: a failed transaction rolls its statements back with its writes', async () => {
  const store = await open(() => 1);
  await store.transaction((tx) => tx.sql.exec('CREATE TABLE side (n INTEGER)'));
  const failure = new Error('stop');
  try {
    await store.transaction(async (tx) => {
      await tx.sql.run('INSERT INTO side VALUES (1)');
      await tx.set('g', 'k', 'v');
      throw failure;
    });
    assert.unreachable();
  } catch (error) {
    assert.is(error, failure);
  }
  assert.equal(await store.transaction((tx) => tx.sql.all('SELECT count(*) FROM side')), [[0]]);
  assert.is(await store.has('g', 'k'), false);
  await store.close();
});

test('tx.sql: refused once the transaction has finished', async () => {
  const store = await open(() => 1);
  let kept: { all: (sql: string) => Promise<unknown> } | undefined;
  await store.transaction((tx) => {
    kept = tx.sql;
  });
  try {
    await kept?.all('SELECT 1');
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ClosedError);
  }
  await store.close();
});

test.run();
