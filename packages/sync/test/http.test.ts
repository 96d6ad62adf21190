/**
 * Over real HTTP on 127.0.0.1 with `toNodeListener`: clients sync through a `node:http` server
 * on whatever path the handler is mounted at, and with the live channel a change made by one
 * client reaches the other without it asking (its store emits the event).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store, StoreEvent } from '@go-store/core';
import { createSyncHandler, startSync, toNodeListener } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openMemory } from './support.js';

async function listen(store: Store) {
  const handler = createSyncHandler(store, {
    authorize: (request) => {
      if (request.headers.get('authorization') !== 'Bearer secret') throw new Error('bad token');
      return ['notes'];
    },
  });
  const server = http.createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/sync`,
    async close() {
      handler.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Resolves with the first event `store` emits for `group`. */
function nextEvent(store: Store, group: string): Promise<StoreEvent> {
  return new Promise((resolve) => {
    const off = store.onChange((event) => {
      if (event.group !== group) return;
      off();
      resolve(event);
    });
  });
}

test('node:http: a mounted handler syncs two clients, and refuses a bad token with 403', async () => {
  const serverStore = await openMemory(Date.now);
  const server = await listen(serverStore);
  const a = await openMemory(Date.now);
  const b = await openMemory(Date.now);
  const headers = { authorization: 'Bearer secret' };
  const syncA = startSync(a, { url: server.url, namespaces: ['notes'], headers, intervalMs: 0 });
  const syncB = startSync(b, { url: server.url, namespaces: ['notes'], headers: () => headers, intervalMs: 0 });
  await a.set('notes:inbox', 'n1', 'hello over HTTP');
  await syncA.syncNow();
  await syncB.syncNow();
  assert.is(await b.get('notes:inbox', 'n1'), 'hello over HTTP');

  const intruder = startSync(await openMemory(Date.now), {
    url: server.url,
    namespaces: ['notes'],
    headers: { authorization: 'Bearer wrong' },
    intervalMs: 0,
  });
  try {
    await intruder.syncNow();
    assert.unreachable();
  } catch (error) {
    assert.is((error as { status?: number }).status, 403);
  }
  for (const sync of [syncA, syncB, intruder]) await sync.stop();
  await server.close();
  await serverStore.close();
});

test('live channel: a change made by one client reaches the other without it asking', async () => {
  const serverStore = await openMemory(Date.now);
  const server = await listen(serverStore);
  const a = await openMemory(Date.now);
  const b = await openMemory(Date.now);
  const headers = { authorization: 'Bearer secret' };
  const syncA = startSync(a, { url: server.url, namespaces: ['notes'], headers, intervalMs: 0 });
  const syncB = startSync(b, { url: server.url, namespaces: ['notes'], headers, intervalMs: 0, live: true });
  await syncB.syncNow();
  const arrived = nextEvent(b, 'notes:inbox');
  // A pushes (its write schedules a sync by itself); B only listens.
  await a.set('notes:inbox', 'live', 'pushed by A');
  const event = await arrived;
  assert.equal([event.type, event.key, event.value], ['set', 'live', 'pushed by A']);
  assert.is(await b.get('notes:inbox', 'live'), 'pushed by A');
  await syncA.stop();
  await syncB.stop();
  await server.close();
  await serverStore.close();
});

test.run();
