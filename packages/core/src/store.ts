/**
 * The store: the data methods of {@link Operations} over the {@link StoreExecutor}, plus its
 * life cycle — opening (schema), the background purge, events, scopes, transactions, closing.
 */
import type { SqlDriver } from './driver.js';
import { asStoreError, DriverError, InvalidArgumentError } from './errors.js';
import { type ChangeListener, EventHub, Watcher, type WatchOptions } from './events.js';
import { Operations } from './operations.js';
import { prepareSchema } from './schema.js';
import { type QuotaOptions, ScopedStore } from './scope.js';
import { type AsyncContext, closedError, StoreExecutor } from './store-executor.js';
import { Transaction, type TransactionExecutor } from './transaction.js';
import { checkCount, checkOptions } from './validate.js';

export type { AsyncContext } from './store-executor.js';

/** Options every adapter's `openStore` accepts. */
export interface StoreOptions {
  /** The clock, in Unix milliseconds (default `Date.now`). Inject one to test TTLs without sleeping. */
  now?: () => number;
  /** How often expired rows are purged in the background, in ms (default 60 000; 0 turns it off). */
  purgeIntervalMs?: number;
  /**
   * Receives errors nobody else can: a throwing `onChange` callback, a failed background purge
   * (default `console.error`).
   */
  onError?: (error: unknown) => void;
  /**
   * Optional async-context storage (Node's `AsyncLocalStorage` has this shape; the Node adapter
   * passes one). With it, a call on the store awaited inside its own transaction callback
   * rejects at once (and is cancelled) instead of waiting forever for the transaction it is
   * part of.
   */
  asyncContext?: AsyncContext;
}

const DEFAULT_PURGE_INTERVAL_MS = 60_000;

/**
 * Opens a store over a driver: creates (or migrates) the `kv` table and starts the purge
 * timer. On failure the driver is closed. Adapters call this; most users call an adapter's
 * `openStore`.
 */
export async function createStore(driver: SqlDriver, options: StoreOptions = {}): Promise<Store> {
  try {
    checkOptions('openStore', options);
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new InvalidArgumentError('openStore: now must be a function');
    const purgeIntervalMs = options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS;
    checkCount('openStore', 'purgeIntervalMs', purgeIntervalMs);
    const report = options.onError ?? ((error: unknown) => console.error(error));
    if (typeof report !== 'function') throw new InvalidArgumentError('openStore: onError must be a function');
    // An onError that throws must not break what it reports on (a write, a rollback, a purge).
    const onError = (error: unknown): void => {
      try {
        report(error);
      } catch {
        // Nowhere left to report it.
      }
    };
    await prepareSchema(driver);
    const executor = new StoreExecutor(driver, new EventHub(onError), {
      now,
      onError,
      asyncContext: options.asyncContext,
    });
    return new Store(executor, purgeIntervalMs, onError);
  } catch (error) {
    try {
      await driver.close();
    } catch {
      // The original error is the one worth reporting.
    }
    throw asStoreError('openStore', error);
  }
}

/**
 * A group-namespaced key-value store. Every data method returns a Promise; calls are applied
 * in the order they are made.
 *
 * @example
 * ```ts
 * const store = await openStore(':memory:');
 * await store.set('config', 'theme', 'dark');
 * await store.get('config', 'theme'); // 'dark'
 * await store.close();
 * ```
 */
export class Store extends Operations {
  readonly #executor: StoreExecutor;
  readonly #purgeTimer: unknown;
  #closing: Promise<void> | undefined;

  /** @internal Use {@link createStore} or an adapter's `openStore`. */
  constructor(executor: StoreExecutor, purgeIntervalMs: number, onError: (error: unknown) => void) {
    super(executor);
    this.#executor = executor;
    if (purgeIntervalMs > 0) this.#purgeTimer = startPurgeTimer(this, purgeIntervalMs, onError);
  }

  /**
   * The current time by the store's clock (the `now` option, default `Date.now`), in Unix ms.
   * Read-only: what TTLs and event timestamps use, so a package built on the store (sync's
   * hybrid logical clock) keeps the same time, and a test's skewed clock reaches it too.
   */
  now(): number {
    return this.#executor.now();
  }

  /**
   * Whether the database lives only in this store's memory (`':memory:'`, or a browser store
   * that fell back to memory): nothing else can read or write it, and it is gone once closed.
   */
  get inMemory(): boolean {
    return this.#executor.driver.inMemory === true;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Runs `fn` in a transaction and resolves to its result. `tx` has the store's data methods;
   * its reads see its own writes. If `fn` throws or rejects, nothing is written, no event is
   * emitted, and the error propagates unchanged. On success every write commits at once and
   * the events follow, in order.
   *
   * Other calls on the store wait until the transaction ends — including calls made on the
   * store inside `fn`, which therefore take effect after the commit. So inside `fn` use `tx`:
   * awaiting the store there would wait for the transaction that is waiting for you. Where the
   * adapter supplies async context (`asyncContext`: the Node adapter does, on Node, Deno and
   * Bun), awaiting such a call rejects it at once with an `InvalidArgumentError` (and cancels
   * it) instead of hanging.
   */
  transaction<T>(fn: (tx: Transaction) => T | Promise<T>): Promise<T> {
    return this.#runTransaction((executor) => fn(new Transaction(executor)), fn);
  }

  /**
   * Subscribes to events matching `(group, key)`; `'*'` matches any group or key, and
   * `(group, '*')` also receives `delete_group` of that group.
   * @throws {ClosedError} when the store is closed.
   */
  watch(group: string, key: string, options?: WatchOptions): Watcher {
    this.#throwIfClosed('store.watch');
    return this.#executor.hub.watch('store.watch', group, key, options);
  }

  /** Ends a watcher's iteration (after its buffered events). Idempotent. */
  unwatch(watcher: Watcher): void {
    if (!(watcher instanceof Watcher))
      throw new InvalidArgumentError('store.unwatch: expected a Watcher from store.watch');
    watcher.close();
  }

  /**
   * Calls `fn` synchronously after each committed write; returns an idempotent unregister
   * function. A callback that throws is reported to `onError` and stops nothing else.
   * @throws {ClosedError} when the store is closed.
   */
  onChange(fn: ChangeListener): () => void {
    this.#throwIfClosed('store.onChange');
    return this.#executor.hub.onChange('store.onChange', fn);
  }

  /**
   * A view of the store confined to `namespace` (`^[a-zA-Z0-9-]+$`), optionally with quotas.
   * @throws {InvalidArgumentError} for a bad namespace or quota; {@link ClosedError} when closed.
   */
  scope(namespace: string, quota?: QuotaOptions): ScopedStore {
    this.#throwIfClosed('store.scope');
    return new ScopedStore(this.#executor, (fn) => this.#runTransaction(fn, fn), namespace, quota);
  }

  /** Makes every committed write durable now, whatever the driver's durability mode. */
  flush(): Promise<void> {
    return this.#executor.flush('store.flush');
  }

  /**
   * Stops the purge timer, waits for the calls already made (an open transaction included),
   * ends every watcher, flushes and releases the database. Later calls fail with
   * {@link ClosedError}. Idempotent: every call returns the same Promise.
   */
  close(): Promise<void> {
    const inside = this.#closing === undefined ? this.#executor.insideCall('store.close') : undefined;
    if (inside) {
      // From inside a transaction callback: close once the transaction is over (or not at all
      // if this is awaited there, which would wait forever).
      return inside.guard(this.#executor.lock.run(() => inside.check()).then(() => this.close()));
    }
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#purgeTimer !== undefined) clearInterval(this.#purgeTimer);
    const executor = this.#executor;
    executor.markClosed();
    try {
      await executor.lock.run(async () => {
        // The events of writes still becoming durable reach the watchers before they end.
        await executor.hub.settled();
        executor.hub.closeAll();
        await executor.driver.close();
      });
    } catch (error) {
      throw asStoreError('store.close', error);
    }
  }

  /** `callback` is what the user passed, checked to be a function before anything runs. */
  #runTransaction<T>(fn: (executor: TransactionExecutor) => T | Promise<T>, callback: unknown): Promise<T> {
    const op = 'store.transaction';
    if (this.#executor.closed) return Promise.reject(closedError(op));
    if (typeof callback !== 'function') {
      return Promise.reject(new InvalidArgumentError(`${op}: the callback must be a function`));
    }
    const unsupported = this.#executor.driver.transactionsUnsupported;
    if (unsupported !== undefined) return Promise.reject(new DriverError(`${op}: ${unsupported}`, undefined));
    return this.#executor.transaction(op, fn);
  }

  #throwIfClosed(op: string): void {
    if (this.#closing !== undefined) throw closedError(op);
  }
}

function startPurgeTimer(store: Store, intervalMs: number, onError: (error: unknown) => void): unknown {
  // close() clears the interval before anything else, so a tick never meets a closed store.
  const timer = setInterval(() => {
    store.purgeExpired().catch(onError);
  }, intervalMs);
  // The purge must never keep a process alive: Node and Bun timers have unref(); Deno has
  // Deno.unrefTimer(); in browsers and workerd timers keep nothing alive.
  const handle = timer as { unref?: () => void };
  if (typeof handle.unref === 'function') handle.unref();
  else (globalThis as { Deno?: { unrefTimer?: (id: unknown) => void } }).Deno?.unrefTimer?.(timer);
  return timer;
}
