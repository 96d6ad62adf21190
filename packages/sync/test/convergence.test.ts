/**
 * Convergence: a server and three clients (a durable file store and two in-memory stores, with
 * clocks skewed against each other) apply seeded random writes — set, setWithTTL, delete,
 * deleteGroup, setMany, transactions — while syncing through a transport that drops, delays,
 * duplicates and reorders requests. Once the transport heals and everyone has synced, every
 * replica holds the same live data in the synced namespaces. Each failure names its seed
 * (`SYNC_SEEDS=n` runs more seeds, `SYNC_SEED=s` one). chromium.test.ts adds a browser client.
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
import { applyOp, randomOp } from './random-ops.js';
import { Clock, FlakyTransport, openMemory, serve, snapshot } from './support.js';

const SYNCED = ['a', 'b'];
const STEPS = 50;

function seeds(): number[] {
  if (process.env.SYNC_SEED) return [Number(process.env.SYNC_SEED)];
  const count = Number(process.env.SYNC_SEEDS ?? 12);
  return Array.from({ length: count }, (_, i) => 1000 + i * 7919);
}

for (const seed of seeds()) {
  test(`convergence: seed ${seed}: every replica ends with the same synced data`, async () => {
    const roll = random(seed);
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
        await applyOp(target, randomOp(roll, step));
        if (roll() < 0.3) await (syncs[Math.floor(roll() * syncs.length)] as Sync).syncNow().catch(() => undefined);
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
