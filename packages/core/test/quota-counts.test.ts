/**
 * Quotas stay exact while their checks read counts kept by triggers: whatever writes the file
 * (this store, or another program through plain SQL, as go-store or `sqlite3` would), and for a
 * database that already held namespaced rows before the counts existed.
 */
import { createStore, QuotaExceededError } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs, type SqlJsDriver } from '@go-store/driver-sqljs';

type Database = SqlJsDriver['db'];

import { test } from 'uvu';
import * as assert from 'uvu/assert';

const NOW = 1_700_000_000_000;

async function database(): Promise<Database> {
  const SQL = await loadSqlJs();
  return new SQL.Database();
}

/** A store over `db` that does not close it, so the test can keep writing to it as another program. */
async function storeOver(db: Database) {
  const driver = createSqlJsDriver(db);
  return createStore({ ...driver, close: () => driver.clearStatements() }, { now: () => NOW, purgeIntervalMs: 0 });
}

function counts(db: Database, namespace: string): { rows: number; groups: number } {
  const result = db.exec('SELECT rows, groups FROM gostore_namespace_counts WHERE namespace = ?', [namespace]);
  const row = result[0]?.values[0];
  return { rows: Number(row?.[0] ?? 0), groups: Number(row?.[1] ?? 0) };
}

async function refusal(write: () => Promise<unknown>): Promise<QuotaExceededError | undefined> {
  try {
    await write();
    return undefined;
  } catch (error) {
    if (error instanceof QuotaExceededError) return error;
    throw error;
  }
}

test('counts follow inserts, overwrites, deletes and group moves made through plain SQL', async () => {
  const db = await database();
  const store = await storeOver(db);
  await store.scope('t').set('g', 'a', '1');
  db.run("INSERT INTO kv (grp, key, value) VALUES ('t:g', 'b', '2'), ('t:h', 'a', '3'), ('plain', 'x', 'y')");
  assert.equal(counts(db, 't'), { rows: 3, groups: 2 });
  db.run("UPDATE kv SET value = 'changed', expires_at = 5 WHERE grp = 't:g' AND key = 'a'");
  assert.equal(counts(db, 't'), { rows: 3, groups: 2 }, 'an update in place changes no count');
  db.run("UPDATE kv SET grp = 'u:g' WHERE grp = 't:h'");
  assert.equal(counts(db, 't'), { rows: 2, groups: 1 });
  assert.equal(counts(db, 'u'), { rows: 1, groups: 1 });
  db.run("DELETE FROM kv WHERE grp = 't:g' AND key = 'b'");
  assert.equal(counts(db, 't'), { rows: 1, groups: 1 });
  await store.scope('t').deleteGroup('g');
  assert.equal(counts(db, 't'), { rows: 0, groups: 0 });
  db.run("INSERT INTO kv (grp, key, value) VALUES ('t:a', '1', 'x'), ('t:a', '2', 'x'), ('t:b', '3', 'x')");
  db.run("UPDATE kv SET grp = 't:b' WHERE grp = 't:a'");
  assert.equal(counts(db, 't'), { rows: 3, groups: 1 }, 'a whole group moved into another');
  db.run("UPDATE kv SET key = key || '-renamed' WHERE grp = 't:b'");
  assert.equal(counts(db, 't'), { rows: 3, groups: 1 }, 'renaming keys changes no count');
  db.run("UPDATE kv SET grp = 'plain' WHERE grp = 't:b' AND key = '3-renamed'");
  assert.equal(counts(db, 't'), { rows: 2, groups: 1 }, 'a row moved out of every namespace');
  await store.close();
});

test('a quota holds exactly against rows another program wrote', async () => {
  const db = await database();
  const store = await storeOver(db);
  const scoped = store.scope('t', { maxKeys: 3, maxGroups: 2 });
  await scoped.set('g', 'a', '1');
  db.run("INSERT INTO kv (grp, key, value) VALUES ('t:g', 'b', '2'), ('t:h', 'c', '3')");
  assert.is((await refusal(() => scoped.set('g', 'd', '4')))?.limit, 'maxKeys');
  assert.is((await refusal(() => scoped.set('i', 'd', '4')))?.limit, 'maxKeys');
  db.run("DELETE FROM kv WHERE grp = 't:h'");
  assert.is(await refusal(() => scoped.set('i', 'd', '4')), undefined, 'room again after the other program deleted');
  assert.is((await refusal(() => scoped.set('j', 'e', '5')))?.limit, 'maxKeys');
  db.run("DELETE FROM kv WHERE grp = 't:g' AND key = 'b'");
  assert.is((await refusal(() => scoped.set('j', 'e', '5')))?.limit, 'maxGroups');
  assert.equal(await scoped.groups(), ['g', 'i']);
  await store.close();
});

test('expired rows count towards the fast check but never refuse a write', async () => {
  const db = await database();
  const store = await storeOver(db);
  const scoped = store.scope('t', { maxKeys: 2, maxGroups: 1 });
  db.run("INSERT INTO kv (grp, key, value, expires_at) VALUES ('t:g', 'old1', 'x', ?), ('t:old', 'k', 'x', ?)", [
    NOW - 1,
    NOW - 1,
  ]);
  assert.equal(counts(db, 't'), { rows: 2, groups: 2 });
  await scoped.set('g', 'a', '1');
  await scoped.set('g', 'b', '2');
  assert.is((await refusal(() => scoped.set('g', 'c', '3')))?.limit, 'maxKeys');
  assert.is(await scoped.countAll(), 2);
  await store.close();
});

test('a database that held namespaced rows before the counts existed is counted on open', async () => {
  const db = await database();
  db.run(
    'CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))',
  );
  db.run(
    "INSERT INTO kv (grp, key, value) VALUES ('t:g', 'a', '1'), ('t:g', 'b', '2'), ('t:h', 'a', '3'), ('x', 'y', 'z')",
  );
  const store = await storeOver(db);
  assert.equal(counts(db, 't'), { rows: 3, groups: 2 });
  const scoped = store.scope('t', { maxKeys: 4 });
  await scoped.set('i', 'a', '4');
  assert.is((await refusal(() => scoped.set('i', 'b', '5')))?.limit, 'maxKeys');
  await store.close();
});

test('counts a trigger was dropped from are rebuilt on open, not trusted', async () => {
  const db = await database();
  let store = await storeOver(db);
  await store.scope('t').set('g', 'a', '1');
  await store.close();
  db.run('DROP TRIGGER gostore_kv_insert');
  db.run("INSERT INTO kv (grp, key, value) VALUES ('t:g', 'b', '2'), ('t:g', 'c', '3')");
  assert.equal(counts(db, 't'), { rows: 1, groups: 1 }, 'without the trigger the count fell behind');
  store = await storeOver(db);
  assert.equal(counts(db, 't'), { rows: 3, groups: 1 });
  assert.is((await refusal(() => store.scope('t', { maxKeys: 3 }).set('g', 'd', '4')))?.limit, 'maxKeys');
  await store.close();
});

test('the kv table stays exactly go-store’s', async () => {
  const db = await database();
  const store = await storeOver(db);
  await store.scope('t').set('g', 'a', '1');
  const sql = db.exec("SELECT sql FROM sqlite_master WHERE name = 'kv'")[0]?.values[0]?.[0];
  assert.is(
    sql,
    'CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))',
  );
  await store.close();
});

test.run();
