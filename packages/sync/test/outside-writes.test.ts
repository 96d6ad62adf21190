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

test.run();
