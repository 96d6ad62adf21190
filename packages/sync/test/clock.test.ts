/**
 * Conflicts resolve per key by last writer wins on the hybrid logical clock: the later write
 * wins whatever order replicas sync in, a write made after seeing another beats it even when
 * the other writer's clock runs ten minutes fast, and deletes win or lose like writes.
 */
import type { Store } from '@go-store/core';
import { type Sync, type SyncHandlerOptions, startSync } from '@go-store/sync';
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

async function world(skewB = 0, handlerOptions: Partial<SyncHandlerOptions> = {}): Promise<World> {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, handlerOptions);
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

test('delete, set and delete again between syncs: the new delete beats a write made elsewhere meanwhile', async () => {
  const w = await world();
  await w.a.set('a:g', 'k', 'v');
  await w.syncA.syncNow();
  await w.a.delete('a:g', 'k');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  w.clock.advance(10);
  await w.b.set('a:g', 'k', 'written on b');
  w.clock.advance(10);
  // Later than b's write: a's key is a tombstone already, and is deleted again.
  await w.a.set('a:g', 'k', 'briefly back');
  await w.a.delete('a:g', 'k');
  await w.syncB.syncNow();
  await w.syncA.syncNow();
  await w.syncB.syncNow();
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

test('clock too far ahead: the server refuses and reports the change, and the client adopts the server’s copy', async () => {
  const DAY = 24 * 3600_000;
  // B's clock runs two days fast; the server accepts stamps at most one day ahead.
  const w = await world(2 * DAY, { maxClockAheadMs: DAY });
  await w.a.set('a:g', 'k', 'from a sound clock');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  w.clock.advance(1_000);
  await w.b.set('a:g', 'k', 'from a clock two days fast');
  await w.b.set('a:g', 'fresh', 'also refused');
  await w.syncB.syncNow();
  assert.equal(
    w.syncB.status.refused.map(({ key, reason }) => [key, reason]),
    [
      ['k', 'clock'],
      ['fresh', 'clock'],
    ],
  );
  assert.is(await value(w.server), 'from a sound clock');
  assert.is(await w.server.has('a:g', 'fresh'), false);
  // B gave up its refused copies for the server's, so every replica agrees.
  for (const store of [w.a, w.b]) {
    assert.is(await value(store), 'from a sound clock');
    assert.is(await store.has('a:g', 'fresh'), false);
  }
  // A's later write still reaches B: B's refused stamp did not stay on the key.
  w.clock.advance(1_000);
  await w.a.set('a:g', 'k', 'later, from A');
  await w.syncA.syncNow();
  await w.syncB.syncNow();
  assert.is(await value(w.b), 'later, from A');
  await w.close();
});

test('clock ahead by less than the limit: accepted', async () => {
  const w = await world(23 * 3600_000, { maxClockAheadMs: 24 * 3600_000 });
  await w.b.set('a:g', 'k', 'a day minus an hour fast');
  await w.syncB.syncNow();
  assert.equal(w.syncB.status.refused, []);
  assert.is(await value(w.server), 'a day minus an hour fast');
  await w.close();
});

/** The server's tombstones, as `group/key` strings. */
async function tombstones(store: Store): Promise<string[]> {
  return store.transaction(async (tx) => {
    const rows = await tx.sql.all('SELECT grp, key FROM gostore_sync_entries WHERE deleted = 1 ORDER BY grp, key');
    return rows.map(([group, key]) => `${String(group)}/${String(key)}`);
  });
}

test('tombstones: collected on the server after the horizon, newer ones kept; a client behind them pulls everything again', async () => {
  const HOUR = 3600_000;
  const w = await world(0, { tombstoneHorizonMs: 24 * HOUR });
  const pulled: number[] = [];
  const late = await openMemory(w.clock.reader());
  const handler = serve(w.server, { tombstoneHorizonMs: 24 * HOUR });
  const syncLate = startSync(late, {
    url: 'http://sync.test/',
    namespaces: ['a'],
    intervalMs: 0,
    fetch: async (input, init) => {
      const response = await direct(handler)(input, init);
      const body = (await response.clone().json()) as { type: string; changes?: unknown[] };
      if (body.type === 'pulled') pulled.push(body.changes?.length ?? 0);
      return response;
    },
  });
  await w.a.setMany('a:g', { old: '1', recent: '2', kept: '3' });
  await w.syncA.syncNow();
  await syncLate.syncNow();
  assert.is(await late.has('a:g', 'old'), true);
  await w.a.delete('a:g', 'old');
  await w.syncA.syncNow();
  w.clock.advance(20 * HOUR);
  await w.a.delete('a:g', 'recent');
  await w.syncA.syncNow();
  assert.equal(await tombstones(w.server), ['a:g/old', 'a:g/recent']);

  // 25 hours after the first delete, 5 after the second: only the first is past the horizon.
  w.clock.advance(5 * HOUR);
  await w.syncB.syncNow();
  assert.equal(await tombstones(w.server), ['a:g/recent']);
  assert.equal(await w.b.getAll('a:g'), Object.assign(Object.create(null), { kept: '3' }));

  // `late` last pulled before the collected delete: its cursor is refused and it pulls every
  // live entry again. It never learns of the collected delete (the documented limit).
  pulled.length = 0;
  await syncLate.syncNow();
  assert.equal(pulled, [2], 'a full pull: the live key and the tombstone still kept');
  assert.is(await late.has('a:g', 'recent'), false);
  assert.is(await late.get('a:g', 'old'), '1');
  await syncLate.stop();
  handler.close();
  await late.close();
  await w.close();
});

test.run();
