/**
 * The Keyv storage adapter. Keyv hands the adapter keys already prefixed with its namespace
 * (`keyv:foo`) and values already serialised to strings, with their expiry inside the value;
 * the adapter keeps each key as it is, in one group of a go-store store, and passes Keyv's TTL
 * on as the key's TTL, so the store's purge removes what Keyv would ignore.
 */
import type { ScopedStore, Store } from '@go-store/core';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/** What the adapter needs of a store: a {@link Store}, or a {@link ScopedStore} for one tenant. */
export type KeyvStore = Pick<
  Store | ScopedStore,
  'get' | 'getMany' | 'getPage' | 'has' | 'set' | 'setWithTTL' | 'setMany' | 'delete' | 'deleteGroup'
> & { close?(): Promise<void> };

/** Options of {@link KeyvGoStore}. */
export interface KeyvGoStoreOptions {
  /** The group that holds Keyv's keys (default `'keyv'`). */
  group?: string;
}

/** Keys read per round trip by `clear` and the iterator. */
const PAGE_SIZE = 500;

/**
 * A Keyv storage adapter that keeps Keyv's keys in one group of a go-store store.
 *
 * `opts.dialect` is `'sqlite'`, which is what lets Keyv offer `keyv.iterator()` over it.
 * `disconnect()` (Keyv's `keyv.disconnect()`) closes the store.
 *
 * @example
 * ```ts
 * import Keyv from 'keyv';
 * import { openStore } from '@go-store/adapter-node';
 * import { KeyvGoStore } from '@go-store/keyv';
 *
 * const keyv = new Keyv({ store: new KeyvGoStore(await openStore('cache.db'), { group: 'cache' }) });
 * await keyv.set('greeting', { hello: 'world' }, 60_000);
 * ```
 */
export class KeyvGoStore implements KeyvStoreAdapter {
  /** Keyv reads `dialect` to decide whether it can iterate, and its test suite writes here. */
  opts: { dialect: 'sqlite'; url: string; group: string } & Record<string, unknown>;
  /** Set by Keyv to its namespace; `clear()` and the iterator are limited to it. */
  namespace?: string | undefined;
  readonly #store: KeyvStore;
  readonly #group: string;

  constructor(store: KeyvStore, options: KeyvGoStoreOptions = {}) {
    if (store === null || typeof store !== 'object' || typeof store.get !== 'function') {
      throw new TypeError('KeyvGoStore: the first argument must be a go-store Store or ScopedStore');
    }
    const group = options.group ?? 'keyv';
    if (typeof group !== 'string') throw new TypeError(`KeyvGoStore: group must be a string, got ${typeof group}`);
    this.#store = store;
    this.#group = group;
    this.opts = { dialect: 'sqlite', url: 'go-store', group };
  }

  /** The stored (serialised) value, or `undefined` when the key is absent or expired. */
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const found = await this.#store.getMany(this.#group, [key]);
    return found[key] as StoredData<Value> | undefined;
  }

  /** The stored values of `keys`, in order, `undefined` where a key is absent or expired. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const found = await this.#store.getMany(this.#group, keys);
    return keys.map((key) => found[key] as StoredData<Value | undefined>);
  }

  /** Writes a serialised value; a positive `ttl` (ms) makes the key expire, as Keyv asks. */
  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    if (hasTtl(ttl)) await this.#store.setWithTTL(this.#group, key, value, ttl);
    else await this.#store.set(this.#group, key, value);
    return true;
  }

  /** Writes many values; entries sharing a TTL are written together, atomically. */
  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    const byTtl = new Map<number | undefined, Array<[string, string]>>();
    for (const { key, value, ttl } of entries) {
      const bucket = hasTtl(ttl) ? ttl : undefined;
      const pairs = byTtl.get(bucket) ?? [];
      pairs.push([key, value]);
      byTtl.set(bucket, pairs);
    }
    for (const [ttlMs, pairs] of byTtl) {
      await this.#store.setMany(this.#group, pairs, ttlMs === undefined ? {} : { ttlMs });
    }
  }

  /** Whether the key is live. */
  has(key: string): Promise<boolean> {
    return this.#store.has(this.#group, key);
  }

  /** Whether each of `keys` is live. */
  async hasMany(keys: string[]): Promise<boolean[]> {
    const found = await this.#store.getMany(this.#group, keys);
    return keys.map((key) => key in found);
  }

  /** Removes a key; resolves to whether it was live. */
  async delete(key: string): Promise<boolean> {
    const live = await this.#store.has(this.#group, key);
    await this.#store.delete(this.#group, key);
    return live;
  }

  /** Removes keys; resolves to whether every one of them was live (as Keyv's own fallback does). */
  async deleteMany(keys: string[]): Promise<boolean> {
    const found = await this.#store.getMany(this.#group, keys);
    await Promise.all(keys.map((key) => this.#store.delete(this.#group, key)));
    return keys.length > 0 && keys.every((key) => key in found);
  }

  /** Removes the keys of the current namespace, or the whole group when there is none. */
  async clear(): Promise<void> {
    const prefix = this.#prefix(this.namespace);
    if (prefix === '') {
      await this.#store.deleteGroup(this.#group);
      return;
    }
    for (;;) {
      const keys: string[] = [];
      for await (const [key] of this.#entries(prefix)) {
        keys.push(key);
        if (keys.length === PAGE_SIZE) break;
      }
      if (keys.length === 0) return;
      await Promise.all(keys.map((key) => this.#store.delete(this.#group, key)));
    }
  }

  /** The live `[key, serialised value]` pairs of `namespace` (of every key when absent), in key order. */
  async *iterator<Value>(namespace?: string): AsyncGenerator<Array<string | Awaited<Value> | undefined>, void> {
    for await (const [key, value] of this.#entries(this.#prefix(namespace))) yield [key, value as Awaited<Value>];
  }

  /** Closes the store (Keyv's `disconnect()`); a ScopedStore is left open, as it has no close. */
  async disconnect(): Promise<void> {
    await this.#store.close?.();
  }

  /** Keyv subscribes to `error`; this adapter reports every failure by rejecting instead. */
  on(_event: string, _listener: (...args: unknown[]) => void): this {
    return this;
  }

  #prefix(namespace: string | undefined): string {
    return namespace === undefined || namespace === '' ? '' : `${namespace}:`;
  }

  /** The live pairs whose key starts with `prefix`: keyset pages from the prefix on, in key order. */
  async *#entries(prefix: string): AsyncGenerator<[string, string]> {
    // Keys starting with `prefix` are contiguous in code-point order, from `prefix` itself.
    if (prefix !== '') {
      const exact = await this.#store.getMany(this.#group, [prefix]);
      if (prefix in exact) yield [prefix, exact[prefix] as string];
    }
    let after: string | undefined = prefix === '' ? undefined : prefix;
    for (;;) {
      const page = await this.#store.getPage(
        this.#group,
        after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE },
      );
      for (const { key, value } of page) {
        if (!key.startsWith(prefix)) return;
        yield [key, value];
      }
      const last = page[page.length - 1];
      if (last === undefined || page.length < PAGE_SIZE) return;
      after = last.key;
    }
  }
}

function hasTtl(ttl: number | undefined): ttl is number {
  return typeof ttl === 'number' && ttl > 0 && Number.isFinite(ttl);
}
