/**
 * The page the Chromium sync tests drive: an OPFS store opened through the browser adapter,
 * synced with the test's server (same origin) by `startSync`, with a clock the test sets.
 * Playwright calls `syncPage.*`; every answer is plain data.
 */
import { dump, openStore, type Store } from '@go-store/adapter-browser';
import { type Sync, startSync } from '@go-store/sync';
import { applyOp, type Op, syncedLines } from '../test/random-ops.js';

let store: Store | undefined;
let sync: Sync | undefined;
let skew = 0;

const page = {
  /** The shared test clock, in Unix ms; the store reads it plus its own skew. */
  time: 0,

  async open(name: string, skewMs: number): Promise<void> {
    skew = skewMs;
    store = await openStore(name, { now: () => page.time + skew, purgeIntervalMs: 0 });
  },

  start(namespaces: string[], options: { retryDelayMs: number; maxRetryDelayMs: number; batchSize: number }): void {
    sync = startSync(opened(), {
      url: new URL('/sync', location.href),
      namespaces,
      intervalMs: 0,
      ...options,
    });
  },

  /** One sync; resolves to the failure's message, or null. */
  async syncNow(): Promise<string | null> {
    try {
      await (sync as Sync).syncNow();
      return null;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  },

  status(): { state: string; lastError: string | null } {
    const status = (sync as Sync).status;
    return { state: status.state, lastError: status.lastError?.message ?? null };
  },

  apply(op: Op): Promise<void> {
    return applyOp(opened(), op);
  },

  set(group: string, key: string, value: string): Promise<void> {
    return opened().set(group, key, value);
  },

  get(group: string, key: string): Promise<string | undefined> {
    return opened()
      .getMany(group, [key])
      .then((found) => found[key]);
  },

  /** The live entries of `namespaces`, as dump lines. */
  snapshot(namespaces: string[]): Promise<string[]> {
    return syncedLines(dump(opened()), namespaces);
  },

  async close(): Promise<void> {
    await sync?.stop();
    await store?.close();
    sync = undefined;
    store = undefined;
  },
};

function opened(): Store {
  if (store === undefined) throw new Error('syncPage: open a store first');
  return store;
}

Object.assign(globalThis, { syncPage: page });
