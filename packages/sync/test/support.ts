/**
 * What the sync tests share: stores with a clock the test moves, an in-process server, a
 * transport that calls the handler directly, and a flaky one that drops, delays, duplicates
 * and reorders requests.
 */

import { openStore } from '@go-store/adapter-node';
import { dump, type Store } from '@go-store/core';
import { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from '@go-store/sync';
import { syncedLines } from './random-ops.js';

/** A clock the test moves: `base` shared by every store, plus each store's own skew. */
export class Clock {
  time = 1_800_000_000_000;
  advance(ms: number): void {
    this.time += ms;
  }
  reader(skewMs = 0): () => number {
    return () => this.time + skewMs;
  }
}

export function openMemory(now: () => number): Promise<Store> {
  return openStore(':memory:', { now, purgeIntervalMs: 0 });
}

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** A transport straight into the handler, as if over HTTP. */
export function direct(handler: (request: Request) => Promise<Response>): Fetch {
  return (input, init) => handler(new Request(input, init));
}

export function serve(store: Store, options: Partial<SyncHandlerOptions> = {}): SyncHandler {
  return createSyncHandler(store, { authorize: () => ['a', 'b'], ...options });
}

/** A server and a client, both in memory on one clock; `options` syncs namespace `a` between them. */
export async function memoryPair(): Promise<{
  clock: Clock;
  server: Store;
  handler: SyncHandler;
  client: Store;
  options: { url: string; namespaces: string[]; fetch: Fetch; intervalMs: number };
}> {
  const clock = new Clock();
  const server = await openMemory(clock.reader());
  const handler = serve(server, { authorize: () => ['a'] });
  const client = await openMemory(clock.reader());
  const options = { url: 'http://s/', namespaces: ['a'], fetch: direct(handler), intervalMs: 0 };
  return { clock, server, handler, client, options };
}

/** The live entries of the given namespaces, as dump lines. */
export function snapshot(store: Store, namespaces: readonly string[]): Promise<string[]> {
  return syncedLines(dump(store), namespaces);
}

/**
 * A transport that, by a seeded generator, drops a request before it arrives or its answer
 * after it was applied, delays it, delivers it twice, or keeps a copy to deliver later (out of
 * order). `heal()` stops the faults; `settle()` waits for every copy still travelling.
 */
export class FlakyTransport {
  readonly #handler: (request: Request) => Promise<Response>;
  readonly #random: () => number;
  readonly #travelling = new Set<Promise<unknown>>();
  #healed = false;
  faults = { dropped: 0, lostAnswers: 0, duplicated: 0, replayedLate: 0, delayed: 0 };

  constructor(handler: (request: Request) => Promise<Response>, random: () => number) {
    this.#handler = handler;
    this.#random = random;
  }

  heal(): void {
    this.#healed = true;
  }

  async settle(): Promise<void> {
    while (this.#travelling.size > 0) await Promise.allSettled([...this.#travelling]);
  }

  fetch: Fetch = async (input, init) => {
    if (init.method === 'GET') throw new TypeError('no live channel in this test');
    const body = String(init.body);
    const send = (): Promise<Response> => this.#handler(new Request(input, { ...init, body, signal: undefined }));
    if (this.#healed) return send();
    const roll = this.#random();
    if (roll < 0.12) {
      this.faults.dropped += 1;
      throw new TypeError('fetch failed (dropped)');
    }
    if (roll < 0.2) await this.#delay();
    if (roll < 0.3) {
      // Delivered twice: the copy arrives later, after other requests.
      this.faults.duplicated += 1;
      this.#later(send);
    } else if (roll < 0.36) {
      this.faults.replayedLate += 1;
      this.#later(send);
      throw new TypeError('fetch failed (held back, delivered later)');
    }
    const response = await send();
    if (this.#random() < 0.1) {
      this.faults.lostAnswers += 1;
      await response.arrayBuffer();
      throw new TypeError('fetch failed (answer lost)');
    }
    return response;
  };

  #later(send: () => Promise<Response>): void {
    const travelling = this.#delay()
      .then(send)
      .then((response) => response.arrayBuffer());
    this.#travelling.add(travelling);
    travelling.finally(() => this.#travelling.delete(travelling)).catch(() => undefined);
  }

  async #delay(): Promise<void> {
    this.faults.delayed += 1;
    const ms = Math.floor(this.#random() * 8);
    await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
