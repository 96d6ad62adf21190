/**
 * Writes made to the database file by another program (`sqlite3` here, as go-store would)
 * while the store was closed are found by the triggers on `kv` and synced like any other,
 * deletes included; `kv` itself keeps exactly go-store's shape.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { direct, openMemory, serve } from './support.js';

const sqlite3 = (db: string, sql: string): string => execFileSync('sqlite3', [db, sql], { encoding: 'utf8' }).trim();

test('writes made by sqlite3 while the store was closed are synced when it reopens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-outside-'));
  const db = join(dir, 'client.db');
  const server = await openMemory(Date.now);
  const handler = serve(server, { authorize: () => ['a'] });
  const options = { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };

  let client = await openStore(db, { purgeIntervalMs: 0 });
  await client.set('a:g', 'old', 'synced, then deleted elsewhere');
  let sync = startSync(client, options);
  await sync.syncNow();
  await sync.stop();
  await client.close();
  assert.is(await server.get('a:g', 'old'), 'synced, then deleted elsewhere');

  sqlite3(db, "INSERT INTO kv (grp, key, value, expires_at) VALUES ('a:g', 'new', 'from sqlite3', NULL)");
  sqlite3(db, "UPDATE kv SET value = 'moved' WHERE grp = 'a:g' AND key = 'new'");
  sqlite3(db, "DELETE FROM kv WHERE grp = 'a:g' AND key = 'old'");
  assert.is(sqlite3(db, "SELECT count(*) FROM pragma_table_info('kv')"), '4');

  client = await openStore(db, { purgeIntervalMs: 0 });
  sync = startSync(client, options);
  await sync.syncNow();
  assert.equal(await server.getAll('a:g'), Object.assign(Object.create(null), { new: 'moved' }));
  await sync.stop();
  await client.close();
  handler.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a database with the first bookkeeping schema (a log row per write) is upgraded without re-stamping its keys', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-upgrade-'));
  const db = join(dir, 'client.db');
  const server = await openMemory(Date.now);
  const handler = serve(server, { authorize: () => ['a'] });
  const options = { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };
  let client = await openStore(db, { purgeIntervalMs: 0 });
  await client.set('a:g', 'synced', 'v');
  let sync = startSync(client, options);
  await sync.syncNow();
  await sync.stop();
  await client.close();
  const stamp = "SELECT hlc FROM gostore_sync_entries WHERE key = 'synced'";
  const before = sqlite3(db, stamp);
  // Back to the first schema, with two writes of one key waiting in its log.
  sqlite3(
    db,
    'DROP INDEX gostore_sync_log_key; DROP TRIGGER gostore_sync_kv_update_value; DROP TRIGGER gostore_sync_kv_update_key; ' +
      "CREATE TRIGGER gostore_sync_kv_update AFTER UPDATE ON kv WHEN instr(NEW.grp, ':') > 1 " +
      'BEGIN INSERT INTO gostore_sync_log (grp, key) VALUES (NEW.grp, NEW.key); END; ' +
      "INSERT INTO gostore_sync_log (grp, key) VALUES ('a:g', 'pending'), ('a:g', 'pending'); " +
      "INSERT INTO kv (grp, key, value, expires_at) VALUES ('a:g', 'pending', 'written offline', NULL)",
  );

  client = await openStore(db, { purgeIntervalMs: 0 });
  sync = startSync(client, options);
  await sync.syncNow();
  const query = (sql: string) => client.transaction(async (tx) => String((await tx.sql.all(sql))[0]?.[0]));
  assert.is(await query(stamp), before, 'an upgrade records no new version of a key already synced');
  assert.is(await server.get('a:g', 'pending'), 'written offline');
  assert.is(await query("SELECT count(*) FROM sqlite_master WHERE name = 'gostore_sync_kv_update'"), '0');
  await sync.stop();
  await client.set('a:g', 'pending', 'written twice');
  await client.set('a:g', 'pending', 'written three times');
  assert.is(await query('SELECT count(*) FROM gostore_sync_log'), '1', 'the log holds a changed key once');
  sync = startSync(client, options);
  await sync.syncNow();
  assert.is(await server.get('a:g', 'pending'), 'written three times');
  await sync.stop();
  await client.close();
  handler.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
