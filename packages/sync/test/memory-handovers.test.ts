/**
 * In memory, sync hands the logging of local writes from the triggers to the store's events
 * and back: writes issued at every instant around those hand-overs (while the schema is
 * installed, right before and after `stop()`, while a round runs, on a server whose handler is
 * replaced) still reach every replica.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, direct, memoryPair, openMemory, serve, snapshot } from './support.js';

test('in memory: writes issued while startSync installs its schema, and right before and after stop(), are synced', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const writes: Promise<unknown>[] = [];
  let sync = startSync(client, options);
  writes.push(client.set('a:g', 'installing', '1'));
  writes.push(client.setMany('a:g', { many1: '1', many2: '2' }));
  const round = sync.syncNow().catch(() => undefined);
  writes.push(client.set('a:g', 'during-round', '1'));
  await round;
  writes.push(client.set('a:g', 'before-stop', '1'));
  writes.push(client.delete('a:g', 'many1'));
  const stopping = sync.stop();
  writes.push(client.set('a:g', 'after-stop', '1'));
  writes.push(client.transaction(async (tx) => tx.set('a:g', 'tx-after-stop', '1')));
  await stopping;
  await Promise.all(writes);
  clock.advance(10);
  sync = startSync(client, options);
  await sync.syncNow();
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  assert.equal(Object.keys({ ...(await server.getAll('a:g')) }).sort(), [
    'after-stop',
    'before-stop',
    'during-round',
    'installing',
    'many2',
    'tx-after-stop',
  ]);
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: stop() racing syncNow() loses no write, and a new sync started before stop() resolves picks up', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const first = startSync(client, options);
  await first.syncNow();
  const writes: Promise<unknown>[] = [client.set('a:g', 'k1', '1')];
  const round = first.syncNow().catch(() => undefined);
  writes.push(client.set('a:g', 'k2', '2'));
  const stopping = first.stop();
  writes.push(client.set('a:g', 'k3', '3'));
  const second = startSync(client, options);
  writes.push(client.set('a:g', 'k4', '4'));
  await Promise.all([round, stopping, ...writes]);
  writes.push(client.set('a:g', 'k5', '5'));
  await Promise.all(writes);
  clock.advance(10);
  await second.syncNow();
  assert.equal(Object.keys({ ...(await server.getAll('a:g')) }).sort(), ['k1', 'k2', 'k3', 'k4', 'k5']);
  await second.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory, server side: local writes, deleteGroup and deletePrefix around a handler replaced reach the clients', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  let handler = serve(server, { authorize: () => ['a'] });
  const client = await openMemory(clock.reader());
  const options = {
    url: 'http://s/',
    namespaces: ['a'],
    fetch: (input: string, init: RequestInit) => handler(new Request(input, init)),
    intervalMs: 0,
  };
  const sync = startSync(client, options);
  await server.setMany('a:g1', { k1: '1', k2: '2' });
  await server.setMany('a:g2', { k1: '1', k2: '2' });
  await client.set('a:g3', 'k', 'from the client');
  await sync.syncNow();
  assert.is(await client.count('a:g1'), 2);
  clock.advance(10);
  await server.deleteGroup('a:g1');
  await server.set('a:g1', 'k3', 'after the delete');
  const closing = handler.close();
  await server.deletePrefix('a:g2');
  await server.set('a:g4', 'k', 'between handlers');
  handler = serve(server, { authorize: () => ['a'] });
  await closing;
  await server.deletePrefix('a:g3');
  clock.advance(10);
  await sync.syncNow();
  await sync.syncNow();
  assert.equal(await snapshot(client, ['a']), await snapshot(server, ['a']));
  assert.equal({ ...(await client.getAll('a:g1')) }, { k3: 'after the delete' });
  assert.is(await client.count('a:g2'), 0);
  assert.is(await client.count('a:g3'), 0);
  assert.is(await client.get('a:g4', 'k'), 'between handlers');
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('in memory: TTL keys expire alike everywhere; a key written again after expiring is synced', async () => {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  const a = await openMemory(clock.reader());
  const b = await openMemory(clock.reader());
  const options = { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };
  const syncA = startSync(a, options);
  const syncB = startSync(b, options);
  await a.setWithTTL('a:g', 'short', 'expires soon', 50);
  await a.setWithTTL('a:g', 'long', 'lasts', 3_600_000);
  await b.set('a:g', 'gone', 'before');
  await syncB.syncNow();
  await syncA.syncNow();
  clock.advance(100);
  await b.setWithTTL('a:g', 'gone', 'expired at once', 0);
  await a.purgeExpired();
  await syncB.syncNow();
  await syncA.syncNow();
  await syncB.syncNow();
  assert.equal(await snapshot(a, ['a']), await snapshot(b, ['a']));
  assert.is(await a.has('a:g', 'short'), false);
  assert.is(await a.has('a:g', 'gone'), false);
  clock.advance(10);
  await a.set('a:g', 'short', 'written again');
  await syncA.syncNow();
  await syncB.syncNow();
  assert.is(await b.get('a:g', 'short'), 'written again');
  assert.equal(await snapshot(a, ['a']), await snapshot(server, ['a']));
  for (const sync of [syncA, syncB]) await sync.stop();
  await handler.close();
  for (const store of [a, b, server]) await store.close();
});

test('in memory: a received delete of a key absent here, then local writes of that key, are synced', async () => {
  const { clock, server, handler, client, options } = await memoryPair();
  const sync = startSync(client, options);
  await sync.syncNow();
  await server.set('a:g', 'k', 'server');
  clock.advance(10);
  await server.delete('a:g', 'k');
  await server.set('a:g', 'other', 'pulled with the tombstone');
  clock.advance(10);
  // Issued as the pull commits (applying the tombstone emitted nothing: the key is absent
  // here), so they run next on the store's lock, before the session is over.
  const local: Promise<unknown>[] = [];
  const unsubscribe = client.onChange((event) => {
    if (event.key === 'other' && local.length === 0) {
      local.push(client.set('a:g', 'k', 'local 1'), client.delete('a:g', 'k'), client.set('a:g', 'k2', 'x'));
      local.push(client.set('a:g', 'k3', 'y'), client.delete('a:g', 'k3'));
    }
  });
  await sync.syncNow();
  await Promise.all(local);
  unsubscribe();
  assert.is(local.length, 5, 'the pull applied the other key');
  clock.advance(10);
  await sync.syncNow();
  assert.is(await server.has('a:g', 'k'), false);
  assert.is(await server.get('a:g', 'k2'), 'x');
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  await client.set('a:g', 'k', 'local 2');
  clock.advance(10);
  await sync.syncNow();
  assert.is(await server.get('a:g', 'k'), 'local 2');
  await sync.stop();
  await handler.close();
  await client.close();
  await server.close();
});

test('a file keeps its triggers on kv while sync runs and after it stops: other programs may write it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-'));
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  const client = await openStore(join(dir, 'client.db'), { now: clock.reader(), purgeIntervalMs: 0 });
  try {
    assert.is(client.inMemory, false);
    const triggers = (): Promise<number> =>
      client.transaction(
        async (tx) =>
          (await tx.sql.all("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'gostore_sync_kv_*'"))
            .length,
      );
    const sync = startSync(client, { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 });
    await client.set('a:g', 'k', 'v');
    await sync.syncNow();
    assert.is(await triggers(), 4);
    await sync.stop();
    assert.is(await triggers(), 4);
    assert.is(await server.get('a:g', 'k'), 'v');
  } finally {
    await handler.close();
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
