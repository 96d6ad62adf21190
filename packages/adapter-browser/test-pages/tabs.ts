/**
 * A page for the many-tabs tests: the Node side opens several of these on one database and
 * drives them with `page.evaluate('tabs.…')`.
 */
import {
  ClosedError,
  DriverError,
  NotFoundError,
  openStore,
  QuotaExceededError,
  type Store,
} from '@go-store/adapter-browser';
import type { TabsWorkerRequest } from './tabs-worker.js';

// Every message this page posts to a worker (its database worker's, and tabs.inWorker's):
// a tab whose reads go straight to another tab's leader posts none for them.
let posted = 0;
const postMessage = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
  posted++;
  return postMessage.apply(this, args);
} as Worker['postMessage'];

const stores = new Map<string, Store>();
/** Every event each database's store received, as `type group key value`. */
const events = new Map<string, string[]>();
let worker: Worker | undefined;

function store(name: string): Store {
  const found = stores.get(name);
  if (found === undefined) throw new Error(`${name} is not open in this tab`);
  return found;
}

const tabs = {
  /** Opens `name` on the main thread and records every event it receives. */
  async open(name: string): Promise<void> {
    const opened = await openStore(name, { purgeIntervalMs: 0 });
    const seen: string[] = [];
    events.set(name, seen);
    stores.set(name, opened);
    void (async () => {
      for await (const e of opened.watch('*', '*', { bufferSize: 100_000 })) {
        seen.push(`${e.type} ${e.group} ${e.key} ${e.value}`);
      }
    })();
  },
  /** Opens `name` as `key` on a database worker of its own, started from `workerUrl`. */
  async openAs(key: string, name: string, workerUrl: string): Promise<void> {
    stores.set(key, await openStore(name, { purgeIntervalMs: 0, workerUrl }));
  },
  async close(name: string): Promise<void> {
    await store(name).close();
    stores.delete(name);
  },
  events(name: string): string[] {
    return events.get(name) ?? [];
  },
  set(name: string, group: string, key: string, value: string): Promise<void> {
    return store(name).set(group, key, value);
  },
  async get(name: string, group: string, key: string): Promise<string | null> {
    return store(name)
      .get(group, key)
      .catch(() => null);
  },
  async getAll(name: string, group: string): Promise<Record<string, string>> {
    return { ...(await store(name).getAll(group)) };
  },
  /** `count` writes issued at once: sets of `prefix0…`, and a delete of every third. */
  async writeMany(name: string, prefix: string, count: number): Promise<void> {
    const s = store(name);
    const calls: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      calls.push(s.set('shared', `${prefix}${i}`, `v${i}`));
      if (i % 3 === 0) calls.push(s.delete('shared', `${prefix}${i}`));
    }
    await Promise.all(calls);
  },
  /** `count` concurrent sets of new keys in a scope limited to `maxKeys`: how many passed, how many were refused. */
  async quotaRace(name: string, prefix: string, count: number, maxKeys: number) {
    const scoped = store(name).scope('race', { maxKeys });
    const results = await Promise.allSettled(
      Array.from({ length: count }, (_, i) => scoped.set('g', `${prefix}${i}`, 'x')),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const quota = results.filter((r) => r.status === 'rejected' && r.reason instanceof QuotaExceededError).length;
    return { ok, quota, other: results.length - ok - quota };
  },
  /**
   * Increments the counter `c/n` `count` times, each in a transaction; a transaction refused as
   * retryable (its leader went away) is tried again, as an app would. Reports how many resolved.
   */
  async increment(name: string, count: number) {
    const s = store(name);
    let resolved = 0;
    let retried = 0;
    const failures: string[] = [];
    while (resolved < count) {
      try {
        await s.transaction(async (tx) => {
          const value = Number(await tx.get('c', 'n').catch(() => '0'));
          await tx.set('c', 'n', String(value + 1));
        });
        resolved++;
        progress.set(name, (progress.get(name) ?? 0) + 1);
      } catch (error) {
        if (error instanceof DriverError && error.retryable) retried++;
        else {
          failures.push(String(error));
          if (failures.length > 5) break;
        }
      }
    }
    return { resolved, retried, failures };
  },
  progress(name: string): number {
    return progress.get(name) ?? 0;
  },
  /**
   * Opens `stores` more stores of `name` in this tab and makes `count` sets of new keys from
   * each, all issued at once: the calls of the stores travel together, several to a message.
   * Reports how many resolved and what else happened.
   */
  async burst(name: string, prefix: string, stores: number, count: number) {
    const opened = await Promise.all(Array.from({ length: stores }, () => openStore(name, { purgeIntervalMs: 0 })));
    const key = `${name}:burst`;
    const calls = opened.flatMap((s, j) =>
      Array.from({ length: count }, (_, i) =>
        s.set('burst', `${prefix}${j}-${i}`, `v${i}`).then(() => {
          progress.set(key, (progress.get(key) ?? 0) + 1);
        }),
      ),
    );
    const results = await Promise.allSettled(calls);
    await Promise.all(opened.map((s) => s.close()));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    return { resolved: results.length - failures.length, failures };
  },
  /** How many messages this page has posted to workers so far. */
  posted(): number {
    return posted;
  },
  /** Writes `r/k0…r/k<count-1>` as `v0…`, for {@link tabs.readRounds}. */
  fill(name: string, count: number): Promise<void> {
    return store(name).setMany('r', Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`])));
  },
  /**
   * Whether a get on `name` goes without a message to this page's worker, tried until it does
   * (the port to the leader comes a moment after the store opens) for up to `ms`.
   */
  async readsGoDirect(name: string, ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      const before = posted;
      await store(name).get('r', 'k0');
      if (posted === before) return true;
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  },
  /**
   * Reads the keys `r/k0…` (written as `v0…` first) in `rounds` rounds of `count` gets issued
   * at once, and a getAll each round, until `rounds` are done; counts reads that got a wrong
   * value and collects every error.
   */
  async readRounds(name: string, rounds: number, count: number) {
    const s = store(name);
    let wrong = 0;
    const failures: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const reads = Array.from({ length: count }, (_, i) => s.get('r', `k${i}`));
      const [values, all] = await Promise.all([Promise.allSettled(reads), s.getAll('r').catch(String)]);
      for (const [i, result] of values.entries()) {
        if (result.status === 'rejected') failures.push(String(result.reason));
        else if (result.value !== `v${i}`) wrong++;
      }
      if (typeof all === 'string') failures.push(all);
      else if (Object.keys(all).length !== count) wrong++;
      progress.set(`${name}:reads`, round + 1);
    }
    return { wrong, failures };
  },
  /**
   * Writes then reads at once, `count` times, from one store and from two: each read is
   * issued right after the write, without waiting for it. Returns the reads that missed it.
   */
  async readYourWrites(name: string, count: number): Promise<string[]> {
    const s = store(name);
    const other = await openStore(name, { purgeIntervalMs: 0 });
    const missed: string[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const write = s.set('ryw', 'k', `v${i}`);
        const same = s.get('ryw', 'k');
        const fromOther = other.get('ryw', 'k');
        await write;
        if ((await same) !== `v${i}`) missed.push(`same store ${i}: ${await same}`);
        if ((await fromOther) !== `v${i}`) missed.push(`other store ${i}: ${await fromOther}`);
        // Awaited, then read straight from the leader.
        if ((await other.get('ryw', 'k')) !== `v${i}`) missed.push(`after the write ${i}`);
      }
    } finally {
      await other.close();
    }
    return missed;
  },
  /**
   * Writes `g/k` as 1…`count` one after another, each awaited, and reads it back at once after
   * each, from this store and from a second one of this tab (on a worker of its own, started
   * from `workerUrl`, if given): a read that misses the write it follows is recorded. Progress
   * is counted under `name:ryw`.
   */
  async writeThenRead(name: string, group: string, count: number, workerUrl?: string): Promise<string[]> {
    const s = store(name);
    const url = workerUrl === undefined ? undefined : new URL(workerUrl, location.href);
    const other = await openStore(name, { purgeIntervalMs: 0, workerUrl: url });
    const stale: string[] = [];
    try {
      for (let i = 1; i <= count; i++) {
        await s.set(group, 'k', String(i));
        const [same, fromOther] = await Promise.all([s.get(group, 'k'), other.get(group, 'k')]);
        if (Number(same) < i) stale.push(`same store after ${i}: ${same}`);
        if (Number(fromOther) < i) stale.push(`other store after ${i}: ${fromOther}`);
        progress.set(`${name}:ryw`, i);
      }
    } finally {
      await other.close();
    }
    return stale;
  },
  /**
   * On every event of `group` this tab receives, reads the event's key at once: a read older
   * than the event (values are increasing numbers) is recorded. See {@link tabs.eventReads}.
   */
  readOnEvents(name: string, group: string): void {
    const s = store(name);
    const record = { events: 0, reads: 0, stale: [] as string[] };
    eventReads.set(name, record);
    s.onChange((event) => {
      if (event.group !== group) return;
      record.events++;
      s.get(group, event.key).then(
        (value) => {
          record.reads++;
          if (Number(value) < Number(event.value)) record.stale.push(`event ${event.value}, read ${value}`);
        },
        (error: unknown) => record.stale.push(`event ${event.value}: ${String(error)}`),
      );
    });
  },
  eventReads(name: string) {
    return eventReads.get(name);
  },
  /**
   * A key set with a TTL read after it expired, on a store with its own clock: the read rejects
   * with NotFoundError and deletes the row (a store whose clock is at 0 no longer finds it), and
   * no event is emitted.
   */
  async expiredRead(name: string): Promise<string[]> {
    let now = 1_000_000;
    const timed = await openStore(name, { purgeIntervalMs: 0, now: () => now });
    const early = await openStore(name, { purgeIntervalMs: 0, now: () => 0 });
    const problems: string[] = [];
    try {
      const before = events.get(name)?.length ?? 0;
      await timed.setWithTTL('ttl', 'k', 'x', 1000);
      if ((await early.get('ttl', 'k')) !== 'x') problems.push('the row is not there at first');
      now += 1000;
      const error = await timed.get('ttl', 'k').then(
        (value) => `resolved ${value}`,
        (error: unknown) => error,
      );
      if (!(error instanceof NotFoundError)) problems.push(`get of an expired key: ${String(error)}`);
      const after = await early.get('ttl', 'k').then(
        (value) => `still there: ${value}`,
        (error: unknown) => (error instanceof NotFoundError ? 'gone' : String(error)),
      );
      if (after !== 'gone') problems.push(`after the lazy expiry: ${after}`);
      const seen = (events.get(name) ?? []).slice(before).filter((e) => e.includes(' ttl '));
      if (seen.length !== 1 || !seen[0]?.startsWith('set ')) problems.push(`events: ${seen.join(', ')}`);
    } finally {
      await Promise.all([timed.close(), early.close()]);
    }
    return problems;
  },
  /**
   * Opens a second store of `name` (or, with `own`, takes this tab's store of it), issues `count`
   * gets of `r/k…` (written by {@link tabs.fill}) on it and closes it at once, without waiting:
   * every get resolves with its value, and the close resolves.
   */
  async closeWithReads(name: string, count: number, own = false): Promise<string[]> {
    const s = own ? store(name) : await openStore(name, { purgeIntervalMs: 0 });
    if (own) stores.delete(name);
    const reads = Array.from({ length: count }, (_, i) => s.get('r', `k${i}`));
    const closed = s.close();
    const problems: string[] = [];
    for (const [i, result] of (await Promise.allSettled(reads)).entries()) {
      if (result.status === 'rejected') problems.push(`get ${i}: ${String(result.reason)}`);
      else if (result.value !== `v${i}`) problems.push(`get ${i}: ${result.value}`);
    }
    await closed.catch((error: unknown) => problems.push(`close: ${String(error)}`));
    const late = await s.get('r', 'k0').then(
      (value) => `resolved ${value}`,
      (error: unknown) => (error instanceof ClosedError ? 'closed' : String(error)),
    );
    if (late !== 'closed') problems.push(`a get after close: ${late}`);
    return problems;
  },
  /** The time from now until a get on `name` answers, in ms. */
  async timeGet(name: string): Promise<number> {
    const start = performance.now();
    await store(name)
      .get('timing', 'k')
      .catch(() => undefined);
    return performance.now() - start;
  },
  /** Runs a request in this tab's own worker, which opens the store there. */
  inWorker(request: TabsWorkerRequest): Promise<unknown> {
    worker ??= new Worker(new URL('./tabs-worker.js', import.meta.url), { type: 'module' });
    const w = worker;
    return new Promise((resolve) => {
      w.onmessage = (event) => resolve(event.data);
      w.postMessage(request);
    });
  },
};
const progress = new Map<string, number>();
const eventReads = new Map<string, { events: number; reads: number; stale: string[] }>();

(globalThis as { tabs?: typeof tabs }).tabs = tabs;
document.getElementById('status')!.textContent = 'ready';
