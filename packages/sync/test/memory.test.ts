/**
 * A store kept in memory has no other writer, so while sync runs it learns of local writes from
 * the store's events and drops its triggers on `kv` (a write then pays for none); they are back
 * whenever sync is not running. Nothing may slip through the hand-overs: writes made while sync
 * is stopped, a local write that lands right after a session applied a received change to the
 * same key, and a deleted group.
 */
import type { Store } from '@go-store/core';
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, direct, memoryPair, openMemory, serve, snapshot } from './support.js';

const TRIGGERS =
  "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'gostore_sync_kv_*' ORDER BY name";

async function syncTriggers(store: Store): Promise<string[]> {
  return store.transaction(async (tx) => (await tx.sql.all(TRIGGERS)).map((row) => String(row[0])));
}

test('in memory: no trigger on kv while sync runs; back once it stops; writes made meanwhile sync', async () => {
  const { clock, server, handler, client, options } = await memoryPair();

  await client.set('a:g', 'before', 'written before sync started');
  let sync = startSync(client, options);
  await sync.syncNow();
  assert.equal(await syncTriggers(client), []);
  await client.set('a:g', 'during', 'written while sync ran');
  clock.advance(10);
  await sync.stop();
  assert.equal(await syncTriggers(client), [
    'gostore_sync_kv_delete',
    'gostore_sync_kv_insert',
    'gostore_sync_kv_update_key',
    'gostore_sync_kv_update_value',
  ]);

  // Stopped: the triggers log these; nothing listens.
  await client.set('a:g', 'stopped', 'written while sync was stopped');
  await client.delete('a:g', 'before');
  clock.advance(10);
  sync = startSync(client, options);
  await sync.syncNow();
  assert.equal(await syncTriggers(client), []);
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  assert.is(await server.get('a:g', 'during'), 'written while sync ran');
  assert.is(await server.get('a:g', 'stopped'), 'written while sync was stopped');
  assert.is(await server.has('a:g', 'before'), false);
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: a local write landing right after a session applied a received change is synced', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const sync = startSync(client, options);
  await sync.syncNow();

  await server.set('a:g', 'k', 'from the server');
  clock.advance(10);
  // Issued from the listener, as the session's commit emits its event: it runs next on the
  // store's lock, before the session is over.
  let local: Promise<void> | undefined;
  const unsubscribe = client.onChange((event) => {
    if (event.value === 'from the server') local ??= client.set('a:g', 'k', 'from the client');
  });
  await sync.syncNow();
  unsubscribe();
  assert.ok(local, 'the received change was applied');
  await local;
  assert.is(await client.get('a:g', 'k'), 'from the client');
  await sync.syncNow();
  assert.is(await server.get('a:g', 'k'), 'from the client');
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: deleteGroup reaches the server as a tombstone per key, on both sides', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  const clientA = await openMemory(clock.reader());
  const clientB = await openMemory(clock.reader());
  const options = { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };
  const a = startSync(clientA, options);
  const b = startSync(clientB, options);
  await clientA.setMany('a:g', { one: '1', two: '2', three: '3' });
  await a.syncNow();
  await b.syncNow();
  assert.is(await clientB.count('a:g'), 3);
  clock.advance(10);
  await clientB.deleteGroup('a:g');
  await clientB.set('a:g', 'two', 'set again after the delete');
  clock.advance(10);
  await b.syncNow();
  await a.syncNow();
  assert.equal({ ...(await clientA.getAll('a:g')) }, { two: 'set again after the delete' });
  assert.equal(await snapshot(server, ['a']), await snapshot(clientA, ['a']));
  // The server's own writes, in memory too, reach the clients.
  await server.deleteGroup('a:g');
  clock.advance(10);
  await a.syncNow();
  assert.equal({ ...(await clientA.getAll('a:g')) }, {});
  for (const sync of [a, b]) await sync.stop();
  await handler.close();
  for (const store of [clientA, clientB, server]) await store.close();
});

test.run();
