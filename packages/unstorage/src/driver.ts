/**
 * The unstorage driver. unstorage normalises keys to `a:b:c` before a driver sees them; the
 * driver keeps each key as it is, in one group of a go-store store, so a base is a key prefix
 * and `getKeys(base)` and `clear(base)` are keyset scans from it. Each item's metadata (when it
 * was written, the TTL it was given) lives in a companion group, written in the same
 * transaction as the item and expiring with it, because go-store's table holds only the value.
 */
import type { DataApi, StoreEvent } from '@go-store/core';
import { decodeRaw, encodeRaw } from './raw.js';
import type {
  GetKeysOptions,
  ItemMeta,
  TransactionOptions,
  UnstorageDriver,
  WatchCallback,
} from './unstorage-types.js';

/**
 * What the driver needs of a store: a `Store`, or a `ScopedStore` for one tenant. `watch` is
 * offered only on a `Store` (a scoped store has no `onChange`).
 */
export type UnstorageStore = DataApi & {
  transaction<T>(fn: (tx: DataApi) => T | Promise<T>): Promise<T>;
  onChange?(listener: (event: StoreEvent) => void): () => void;
};

/** Options of {@link goStoreDriver}. */
export interface GoStoreDriverOptions {
  /** The store that holds the items. The driver never closes it: `dispose()` only stops watching. */
  store: UnstorageStore;
  /** The group that holds the items (default `'unstorage'`); metadata goes to `group + '$meta'`. */
  group?: string;
  /** A TTL in seconds for every item written without one of its own (default: none). */
  ttl?: number;
  /**
   * Record each item's `mtime` and TTL for `getMeta` (default `true`). Turn it off to write one
   * row per item instead of two, for instance under a scoped store's `maxKeys` quota.
   */
  meta?: boolean;
  /** The clock for `mtime`, in Unix ms (default `Date.now`); give the store's own when you inject one. */
  now?: () => number;
}

/** What the companion group records of an item. */
interface RecordedMeta {
  mtime: number;
  ttl?: number;
}

/** Keys read per round trip by `getKeys` and `clear`. */
const PAGE_SIZE = 500;

const DRIVER_NAME = 'go-store';

/**
 * An unstorage driver over a group of a go-store store.
 *
 * - Values are strings, as unstorage hands them over; raw values (`setItemRaw`) that are bytes
 *   are kept as `base64:…` strings and come back from `getItemRaw` as a `Uint8Array`.
 * - TTLs are in seconds, as in unstorage's other drivers: the `ttl` transaction option of
 *   `setItem`/`setItems`/`setItemRaw`, or the driver's `ttl` option. An expired item is gone
 *   for every read and is purged by the store.
 * - `getMeta` gives `mtime` (a `Date`) and `ttl` (seconds, as set) of items written through the
 *   driver.
 * - `watch` reports the store's own events for the group (`update` for a write, `remove` for a
 *   removal), so it also sees writes made to the same store by other code in this process.
 *   A `deleteGroup` of the whole group made outside the driver names no keys, so it is not
 *   reported.
 *
 * @example
 * ```ts
 * import { createStorage } from 'unstorage';
 * import { openStore } from '@go-store/adapter-node';
 * import { goStoreDriver } from '@go-store/unstorage';
 *
 * const storage = createStorage({ driver: goStoreDriver({ store: await openStore('app.db'), group: 'cache' }) });
 * await storage.setItem('users:42', { name: 'Ada' }, { ttl: 60 });
 * await storage.getKeys('users'); // ['users:42']
 * ```
 */
export function goStoreDriver(options: GoStoreDriverOptions): UnstorageDriver<GoStoreDriverOptions, UnstorageStore> {
  if (options === null || typeof options !== 'object' || options.store === null || typeof options.store !== 'object') {
    throw new TypeError('[unstorage] [go-store] options.store is required: a go-store Store or ScopedStore');
  }
  const { store } = options;
  const group = options.group ?? 'unstorage';
  if (typeof group !== 'string')
    throw new TypeError(`[unstorage] [go-store] group must be a string, got ${typeof group}`);
  const metaGroup = `${group}$meta`;
  const recordMeta = options.meta ?? true;
  const now = options.now ?? Date.now;
  const defaultTtl = checkTtl(options.ttl, 'options.ttl');
  const unwatchers = new Set<() => void>();

  // The first of the call's own options that gives a ttl decides (0 meaning none), else the driver's.
  const ttlOf = (...candidates: Array<TransactionOptions | undefined>): number | undefined => {
    for (const candidate of candidates) {
      if (candidate?.ttl !== undefined && candidate.ttl !== null) return checkTtl(candidate.ttl, 'the ttl option');
    }
    return defaultTtl;
  };

  const write = async (tx: DataApi, key: string, value: string, ttl: number | undefined): Promise<void> => {
    const meta: RecordedMeta = ttl === undefined ? { mtime: now() } : { mtime: now(), ttl };
    if (ttl === undefined) {
      await tx.set(group, key, value);
      if (recordMeta) await tx.set(metaGroup, key, JSON.stringify(meta));
    } else {
      await tx.setWithTTL(group, key, value, ttl * 1000);
      if (recordMeta) await tx.setWithTTL(metaGroup, key, JSON.stringify(meta), ttl * 1000);
    }
  };

  const remove = async (tx: DataApi, key: string): Promise<void> => {
    await tx.delete(group, key);
    if (recordMeta) await tx.delete(metaGroup, key);
  };

  /** The live keys starting with `prefix`, in key order, a page at a time. */
  async function* keysFrom(source: DataApi, prefix: string): AsyncGenerator<string> {
    if (prefix !== '' && (await source.has(group, prefix))) yield prefix;
    let after: string | undefined = prefix === '' ? undefined : prefix;
    for (;;) {
      const page = await source.getPage(
        group,
        after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE },
      );
      for (const { key } of page) {
        if (!key.startsWith(prefix)) return;
        yield key;
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < PAGE_SIZE) return;
      after = last.key;
    }
  }

  const driver: UnstorageDriver<GoStoreDriverOptions, UnstorageStore> = {
    name: DRIVER_NAME,
    flags: { ttl: true },
    options,
    getInstance: () => store,
    hasItem: (key) => store.has(group, key),
    async getItem(key) {
      const found = await store.getMany(group, [key]);
      return found[key] ?? null;
    },
    async getItems(items) {
      const found = await store.getMany(
        group,
        items.map((item) => item.key),
      );
      return items.map(({ key }) => ({ key, value: found[key] ?? null }));
    },
    async getItemRaw(key) {
      const found = await store.getMany(group, [key]);
      const stored = found[key];
      return stored === undefined ? null : decodeRaw(stored);
    },
    async setItem(key, value, opts) {
      const ttl = ttlOf(opts);
      await store.transaction((tx) => write(tx, key, value, ttl));
    },
    async setItems(items, commonOptions) {
      const writes = items.map((item) => ({ ...item, ttl: ttlOf(item.options, commonOptions) }));
      await store.transaction(async (tx) => {
        for (const { key, value, ttl } of writes) await write(tx, key, value, ttl);
      });
    },
    async setItemRaw(key, value, opts) {
      const ttl = ttlOf(opts);
      const stored = encodeRaw(value);
      await store.transaction((tx) => write(tx, key, stored, ttl));
    },
    async removeItem(key) {
      await store.transaction((tx) => remove(tx, key));
    },
    async getMeta(key) {
      const [value, meta] = await Promise.all([store.getMany(group, [key]), store.getMany(metaGroup, [key])]);
      if (value[key] === undefined) return null;
      const recorded = meta[key];
      if (recorded === undefined) return {};
      const { mtime, ttl } = JSON.parse(recorded) as RecordedMeta;
      const result: ItemMeta = { mtime: new Date(mtime) };
      if (ttl !== undefined) result.ttl = ttl;
      return result;
    },
    async getKeys(base, opts: GetKeysOptions) {
      const keys: string[] = [];
      const maxDepth = opts?.maxDepth;
      for await (const key of keysFrom(store, base ?? '')) {
        if (maxDepth === undefined || depth(key) <= maxDepth) keys.push(key);
      }
      return keys;
    },
    async clear(base) {
      // Key by key, in one transaction, so `watch` reports each removal.
      await store.transaction(async (tx) => {
        for await (const key of keysFrom(tx, base ?? '')) await remove(tx, key);
      });
    },
    dispose() {
      for (const unwatch of unwatchers) unwatch();
      unwatchers.clear();
    },
  };
  const { onChange } = store;
  if (typeof onChange === 'function') {
    driver.watch = (callback: WatchCallback) => {
      const unwatch = onChange.call(store, (event) => {
        if (event.group !== group) return;
        if (event.type === 'set') callback('update', event.key);
        else if (event.type === 'delete') callback('remove', event.key);
      });
      unwatchers.add(unwatch);
      return () => {
        unwatchers.delete(unwatch);
        unwatch();
      };
    };
  }
  return driver;
}

/** How many `:` separators a key has: its depth in unstorage's `maxDepth` terms. */
function depth(key: string): number {
  let count = 0;
  for (let index = key.indexOf(':'); index !== -1; index = key.indexOf(':', index + 1)) count++;
  return count;
}

/** A TTL in seconds as unstorage gives it: absent, 0 or negative means none. */
function checkTtl(ttl: unknown, what: string): number | undefined {
  if (ttl === undefined || ttl === null) return undefined;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl)) {
    throw new TypeError(`[unstorage] [go-store] ${what} must be a number of seconds, got ${typeof ttl}`);
  }
  return ttl > 0 ? ttl : undefined;
}
