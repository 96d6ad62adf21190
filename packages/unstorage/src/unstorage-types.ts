/**
 * The shape of an unstorage driver, declared here rather than imported from unstorage: the
 * package's public types then need nothing from unstorage (whose own declarations reach every
 * optional driver's dependencies, which fails a `skipLibCheck: false` build). The compiler
 * checks in this package's tests that the driver is accepted by unstorage's `createStorage`.
 */

/** Per-call options unstorage passes through (`ttl` in seconds, for this driver). */
export type TransactionOptions = Record<string, unknown>;

/** Options of `getKeys`. */
export interface GetKeysOptions extends TransactionOptions {
  maxDepth?: number;
}

/**
 * What `getMeta` reports of an item. (A type alias, not an interface, so that it is assignable
 * to unstorage's `StorageMeta`, which has an index signature.)
 */
export type ItemMeta = {
  /** When the item was last written through the driver. */
  mtime?: Date;
  /** The TTL, in seconds, the item was last written with. */
  ttl?: number;
};

/** What `watch` reports: a key was written (`update`) or removed (`remove`). */
export type WatchCallback = (event: 'update' | 'remove', key: string) => unknown;

type MaybePromise<T> = T | Promise<T>;

/** An unstorage driver (unstorage's `Driver`), as this package implements it. */
export interface UnstorageDriver<OptionsT, InstanceT> {
  name: string;
  flags: { ttl: boolean };
  options: OptionsT;
  getInstance: () => InstanceT;
  hasItem: (key: string, opts: TransactionOptions) => MaybePromise<boolean>;
  getItem: (key: string, opts?: TransactionOptions) => MaybePromise<string | null>;
  getItems: (
    items: Array<{ key: string; options?: TransactionOptions }>,
    commonOptions?: TransactionOptions,
  ) => MaybePromise<Array<{ key: string; value: string | null }>>;
  getItemRaw: (key: string, opts: TransactionOptions) => MaybePromise<unknown>;
  setItem: (key: string, value: string, opts: TransactionOptions) => MaybePromise<void>;
  setItems: (
    items: Array<{ key: string; value: string; options?: TransactionOptions }>,
    commonOptions?: TransactionOptions,
  ) => MaybePromise<void>;
  setItemRaw: (key: string, value: unknown, opts: TransactionOptions) => MaybePromise<void>;
  removeItem: (key: string, opts: TransactionOptions) => MaybePromise<void>;
  getMeta: (key: string, opts: TransactionOptions) => MaybePromise<ItemMeta | null>;
  getKeys: (base: string | undefined, opts: GetKeysOptions) => MaybePromise<string[]>;
  clear: (base: string | undefined, opts: TransactionOptions) => MaybePromise<void>;
  dispose: () => MaybePromise<void>;
  /** Present when the store has events (a `Store`, not a `ScopedStore`). */
  watch?: (callback: WatchCallback) => MaybePromise<() => MaybePromise<void>>;
}
