/**
 * Convergence with every replica in memory while the hand-overs race: writes are issued
 * without waiting, sync rounds run meanwhile, syncs stop and start again and the server's
 * handler is closed and replaced, all at random through the flaky transport. Once everything
 * settles and each replica has synced, every replica holds the same synced data.
 * (`SYNC_RACE_SEEDS=n` runs more seeds, `SYNC_RACE_SEED=s` one.)
 */
import type { Store } from '@go-store/core';
import { type Sync, type SyncHandler, startSync } from '@go-store/sync';
import { random } from '@go-store/test-suite';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyOp, randomOp } from './random-ops.js';
import { Clock, FlakyTransport, openMemory, serve, snapshot } from './support.js';

const SYNCED = ['a', 'b'];
const STEPS = 60;

function seeds(): number[] {
  if (process.env.SYNC_RACE_SEED) return [Number(process.env.SYNC_RACE_SEED)];
  const count = Number(process.env.SYNC_RACE_SEEDS ?? 4);
  return Array.from({ length: count }, (_, i) => 31 + i * 104729);
}

for (const seed of seeds()) {
  test(`in memory, racing: seed ${seed}: every replica ends with the same synced data`, async () => {
    const roll = random(seed);
    const clock = new Clock();
    const server = await openMemory(clock.reader());
    let handler: SyncHandler = serve(server);
    const transport = new FlakyTransport((request) => handler(request), random(seed + 1));
    const clients: Store[] = [
      await openMemory(clock.reader(-4_000)),
      await openMemory(clock.reader(3_000)),
      await openMemory(clock.reader(600_000)),
    ];
    await clients[0]?.set('a:g1', 'before', 'start');
    const start = (store: Store, url = 'http://sync.test/'): Sync =>
      startSync(store, {
        url,
        namespaces: SYNCED,
        fetch: transport.fetch,
        intervalMs: 0,
        retryDelayMs: 5,
        maxRetryDelayMs: 20,
        batchSize: 5,
      });
    const syncs: Sync[] = clients.map((store) => start(store));
    // A second sync on one store (as beside a server's handler): neither takes the changes the
    // other applies for local writes, and each write is recorded once.
    const second = start(clients[1] as Store, 'http://sync.test/second');
    const pending: Promise<unknown>[] = [];
    const quietly = (promise: Promise<unknown>): void => {
      pending.push(promise.catch(() => undefined));
    };
    try {
      for (let step = 0; step < STEPS; step++) {
        clock.advance(Math.floor(roll() * 30));
        const index = Math.floor(roll() * (clients.length + 1));
        const target = index === clients.length ? server : (clients[index] as Store);
        const op = applyOp(target, randomOp(roll, step));
        // Half the writes are not waited for: they land while whatever comes next runs.
        if (roll() < 0.5) pending.push(op);
        else await op;
        const event = roll();
        if (event < 0.05) {
          quietly(second.syncNow());
        } else if (event < 0.3) {
          quietly((syncs[Math.floor(roll() * syncs.length)] as Sync).syncNow());
        } else if (event < 0.38) {
          // A sync stops while writes and rounds are in flight, and a new one starts at once.
          const i = Math.floor(roll() * syncs.length);
          quietly((syncs[i] as Sync).stop());
          syncs[i] = start(clients[i] as Store);
        } else if (event < 0.42) {
          const old = handler;
          handler = serve(server);
          quietly(old.close());
        } else if (event < 0.5) {
          await Promise.all(pending.splice(0));
        }
      }
      await Promise.all(pending.splice(0));
      transport.heal();
      await transport.settle();
      for (let round = 0; round < 2; round++) for (const sync of [...syncs, second]) await sync.syncNow();
      clock.advance(3600_000);
      const expected = await snapshot(server, SYNCED);
      for (const [i, store] of clients.entries()) {
        assert.equal(await snapshot(store, SYNCED), expected, `seed ${seed}: client ${i} differs from the server`);
      }
    } catch (error) {
      console.error(`racing convergence failed with seed ${seed} (SYNC_RACE_SEED=${seed} to rerun)`, transport.faults);
      throw error;
    } finally {
      await Promise.all(pending.splice(0)).catch(() => undefined);
      for (const sync of [...syncs, second]) await sync.stop();
      await handler.close();
      for (const store of clients) await store.close();
      await server.close();
    }
  });
}

test.run();
