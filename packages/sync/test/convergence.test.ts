/**
 * Convergence: a server and three clients (a durable file store and two in-memory stores, with
 * clocks skewed against each other) apply seeded random writes — set, setWithTTL, delete,
 * deleteGroup, setMany, transactions — while syncing through a transport that drops, delays,
 * duplicates and reorders requests. Once the transport heals and everyone has synced, every
 * replica holds the same live data in the synced namespaces. Each failure names its seed
 * (`SYNC_SEEDS=n` runs more seeds, `SYNC_SEED=s` one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import type { Store } from '@go-store/core';
import { type Sync, startSync } from '@go-store/sync';
import { random } from '@go-store/test-suite';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Clock, FlakyTransport, openMemory, serve, snapshot } from './support.js';

const GROUPS = ['a:g1', 'a:g2', 'b:g1', 'b:g2', 'local'];
const KEYS = ['k0', 'k1', 'k2', 'k3'];
const SYNCED = ['a', 'b'];
const STEPS = 50;

function seeds(): number[] {
  if (process.env.SYNC_SEED) return [Number(process.env.SYNC_SEED)];
  const count = Number(process.env.SYNC_SEEDS ?? 12);
  return Array.from({ length: count }, (_, i) => 1000 + i * 7919);
}

async function randomWrite(store: Store, pick: <T>(items: readonly T[]) => T, roll: () => number, step: number) {
  const group = pick(GROUPS);
  const key = pick(KEYS);
  const value = `v${step}`;
  // TTLs either run out long before the comparison or outlive it.
  const ttl = () => (roll() < 0.5 ? Math.floor(roll() * 50) : 10 * 24 * 3600_000);
  const kind = roll();
  if (kind < 0.35) await store.set(group, key, value);
  else if (kind < 0.5) await store.setWithTTL(group, key, value, ttl());
  else if (kind < 0.65) await store.delete(group, key);
  else if (kind < 0.72) await store.deleteGroup(group);
  else if (kind < 0.85) {
    const entries = KEYS.filter(() => roll() < 0.5).map((k): [string, string] => [k, `${value}-${k}`]);
    await store.setMany(group, entries, roll() < 0.3 ? { ttlMs: ttl() } : {});
  } else {
    await store.transaction(async (tx) => {
      await tx.set(pick(GROUPS), pick(KEYS), `${value}-t1`);
      await tx.delete(pick(GROUPS), pick(KEYS));
      await tx.setWithTTL(pick(GROUPS), pick(KEYS), `${value}-t2`, ttl());
    });
  }
}

for (const seed of seeds()) {
  test(`convergence: seed ${seed}: every replica ends with the same synced data`, async () => {
    const roll = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(roll() * items.length)] as T;
    const clock = new Clock();
    const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-'));
    const server = await openMemory(clock.reader());
    const handler = serve(server);
    const transport = new FlakyTransport(handler, random(seed + 1));
    const clients: Store[] = [
      await openStore(join(dir, 'client.db'), { now: clock.reader(-4_000), purgeIntervalMs: 0 }),
      await openMemory(clock.reader(3_000)),
      await openMemory(clock.reader(600_000)),
    ];
    // Written before sync starts: must be sent too.
    await clients[0]?.set('a:g1', 'before', 'start');
    const syncs: Sync[] = clients.map((store) =>
      startSync(store, {
        url: 'http://sync.test/',
        namespaces: SYNCED,
        fetch: transport.fetch,
        intervalMs: 0,
        retryDelayMs: 5,
        maxRetryDelayMs: 20,
        batchSize: 7,
      }),
    );
    try {
      for (let step = 0; step < STEPS; step++) {
        clock.advance(Math.floor(roll() * 30));
        const index = Math.floor(roll() * (clients.length + 1));
        const target = index === clients.length ? server : (clients[index] as Store);
        await randomWrite(target, pick, roll, step);
        if (roll() < 0.3)
          await pick(syncs)
            .syncNow()
            .catch(() => undefined);
      }
      transport.heal();
      await transport.settle();
      for (let round = 0; round < 2; round++) for (const sync of syncs) await sync.syncNow();
      clock.advance(3600_000);
      const expected = await snapshot(server, SYNCED);
      for (const [i, store] of clients.entries()) {
        assert.equal(await snapshot(store, SYNCED), expected, `seed ${seed}: client ${i} differs from the server`);
      }
    } catch (error) {
      console.error(`convergence failed with seed ${seed} (SYNC_SEED=${seed} to rerun)`, transport.faults);
      throw error;
    } finally {
      for (const sync of syncs) await sync.stop();
      for (const store of clients) await store.close();
      handler.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
