/**
 * Conflicts resolve per key by last writer wins on the hybrid logical clock: the later write
 * wins whatever order replicas sync in, a write made after seeing another beats it even when
 * the other writer's clock runs ten minutes fast, and deletes win or lose like writes.
 */
import type { Store } from '@go-store/core';
import { type Sync, startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, direct, openMemory, serve } from './support.js';

interface World {
  clock: Clock;
  server: Store;
  a: Store;
  b: Store;
  syncA: Sync;
  syncB: Sync;
  close(): Promise<void>;
}

async function world(skewB = 0): Promise<World> {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server);
  const a = await openMemory(clock.reader());
  const b = await openMemory(clock.reader(skewB));
  const options = { url: 'http://sync.test/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };
  const syncA = startSync(a, options);
  const syncB = startSync(b, options);
  await syncA.syncNow();
  await syncB.syncNow();
  return {
    clock,
    server,
    a,
    b,
    syncA,
    syncB,
    async close() {
      await syncA.stop();
      await syncB.stop();
      handler.close();
      for (const store of [a, b, server]) await store.close();
    },
  };
}

async function value(store: Store): Promise<string | undefined> {
  return (await store.getMany('a:g', ['k'])).k;
}

for (const order of ['earlier writer syncs first', 'later writer syncs first'] as const) {
  test(`LWW: the later of two concurrent writes wins everywhere (${order})`, async () => {
    const w = await world();
    // Both offline: their automatic syncs are not awaited, so write before any sync.
    await w.a.set('a:g', 'k', 'earlier');
    w.clock.advance(1_000);
    await w.b.set('a:g', 'k', 'later');
    const [first, second] = order === 'earlier writer syncs first' ? [w.syncA, w.syncB] : [w.syncB, w.syncA];
    await first.syncNow();
    await second.syncNow();
    await first.syncNow();
    for (const store of [w.server, w.a, w.b]) assert.is(await value(store), 'later');
    await w.close();
  });
}

test('clock skew: a causally later write beats a write from a clock running 10 minutes fast', async () => {
  const w = await world(10 * 60_000);
  await w.b.set('a:g', 'k', 'from the fast clock');
  await w.syncB.syncNow();
  await w.syncA.syncNow();
  assert.is(await value(w.a), 'from the fast clock');
  // A has seen B's write; its own wall clock is 10 minutes behind B's, yet it writes later.
  w.clock.advance(1_000);
  await w.a.set('a:g', 'k', 'causally later');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  for (const store of [w.server, w.a, w.b]) assert.is(await value(store), 'causally later');
  await w.close();
});

test('delete after set: a later delete removes the key everywhere', async () => {
  const w = await world();
  await w.a.set('a:g', 'k', 'v');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  assert.is(await value(w.b), 'v');
  w.clock.advance(10);
  await w.b.delete('a:g', 'k');
  await w.syncB.syncNow();
  await w.syncA.syncNow();
  for (const store of [w.server, w.a, w.b]) assert.is(await store.has('a:g', 'k'), false);
  await w.close();
});

test('delete after set, concurrent: a delete made later than an unseen set wins', async () => {
  const w = await world();
  await w.a.set('a:g', 'k', 'old');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  await w.a.set('a:g', 'k', 'concurrent set');
  w.clock.advance(500);
  await w.b.delete('a:g', 'k');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  await w.syncA.syncNow();
  for (const store of [w.server, w.a, w.b]) assert.is(await store.has('a:g', 'k'), false);
  await w.close();
});

test('set after delete: a later set revives the key everywhere, and deleteGroup is a tombstone per key', async () => {
  const w = await world();
  await w.a.setMany('a:g', { k: 'v', other: 'x' });
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  await w.b.deleteGroup('a:g');
  w.clock.advance(500);
  await w.a.set('a:g', 'k', 'revived');
  await w.syncB.syncNow();
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  for (const store of [w.server, w.a, w.b]) {
    assert.is(await value(store), 'revived');
    assert.is(await store.has('a:g', 'other'), false);
  }
  await w.close();
});

test('TTL: replicates as the same absolute expiry, whatever the receiver’s clock', async () => {
  const w = await world(3_000);
  await w.a.setWithTTL('a:g', 'k', 'v', 60_000);
  const expiresAt = w.clock.time + 60_000;
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  const rows = await w.b.exportPage({ limit: 10 });
  assert.equal(
    rows.map((row) => [row.group, row.key, row.expiresAt]),
    [['a:g', 'k', expiresAt]],
  );
  await w.close();
});

test('events: applying pulled changes emits the usual events, after commit', async () => {
  const w = await world();
  const seen: string[] = [];
  w.b.onChange((event) => seen.push(`${event.type} ${event.group}/${event.key}`));
  await w.a.setMany('a:g', { k: '1', l: '2' });
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  await w.a.delete('a:g', 'k');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  assert.equal(seen, ['set a:g/k', 'set a:g/l', 'delete a:g/k']);
  await w.close();
});

test.run();
