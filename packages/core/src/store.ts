/**
 * The store: the data methods of {@link Operations} behind one lock, plus its life cycle —
 * opening (schema), the background purge, events, scopes, transactions and closing.
 */
import type { MaybePromise, SqlDriver } from './driver.js';
import { asStoreError, ClosedError, InvalidArgumentError } from './errors.js';
import { type ChangeListener, EventHub, type StoreEvent, Watcher, type WatchOptions } from './events.js';
import { type InsideCall, insideCall } from './inside-transaction.js';
import { Lock } from './lock.js';
import { then } from './maybe.js';
import { Operations, type ReadFn, type WriteFn } from './operations.js';
import { prepareSchema } from './schema.js';
import { type QuotaOptions, ScopedStore } from './scope.js';
import { finish, Transaction } from './transaction.js';
import { checkCount, checkOptions } from './validate.js';

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

/** The part of `AsyncLocalStorage` the store uses. */
export interface AsyncContext {
  run<R>(store: unknown, callback: () => R): R;
  getStore(): unknown;
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
    return new Store(driver, { now, purgeIntervalMs, onError, asyncContext: options.asyncContext });
  } catch (error) {
    try {
      await driver.close();
    } catch {
      // The original error is the one worth reporting.
    }
    throw asStoreError('openStore', error);
  }
}

interface ResolvedOptions {
  now: () => number;
  purgeIntervalMs: number;
  onError: (error: unknown) => void;
  asyncContext: AsyncContext | undefined;
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
  readonly #driver: SqlDriver;
  readonly #lock = new Lock();
  readonly #hub: EventHub;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #asyncContext: AsyncContext | undefined;
  readonly #purgeTimer: unknown;
  #openTransaction: Transaction | undefined;
  #closing: Promise<void> | undefined;

  /** @internal Use {@link createStore} or an adapter's `openStore`. */
  constructor(driver: SqlDriver, options: ResolvedOptions) {
    super();
    this.#driver = driver;
    this.#now = options.now;
    this.#onError = options.onError;
    this.#asyncContext = options.asyncContext;
    this.#hub = new EventHub(options.onError);
    if (options.purgeIntervalMs > 0) this.#purgeTimer = startPurgeTimer(this, options.purgeIntervalMs, options.onError);
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  protected read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(closedError(op));
    const inside = this.#insideCall(op);
    const result = this.#lock.run(() => {
      inside?.check();
      return guard(() => fn(this.#driver, this.#now()), op, group, key);
    });
    return inside ? inside.guard(result) : result;
  }

  protected write<T>(op: string, fn: WriteFn<T>, atomic: boolean, group?: string, key?: string): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(closedError(op));
    const inside = this.#insideCall(op);
    const result = this.#write(op, fn, atomic, group, key, inside);
    return inside ? inside.guard(result) : result;
  }

  #write<T>(
    op: string,
    fn: WriteFn<T>,
    atomic: boolean,
    group: string | undefined,
    key: string | undefined,
    inside: InsideCall | undefined,
  ): Promise<T> {
    const driver = this.#driver;
    const committed = this.#lock.run(() =>
      guard(
        () => {
          inside?.check();
          const events: StoreEvent[] | null = this.#hub.active ? [] : null;
          // Emitted under the lock, so events follow commit order exactly.
          const emit = (value: T): T => {
            if (events !== null && events.length > 0) this.#hub.emit(events);
            return value;
          };
          if (!atomic) return then(fn(driver, this.#now(), events), emit);
          return this.#atomically(() => fn(driver, this.#now(), events), op).then(emit);
        },
        op,
        group,
        key,
      ),
    );
    if (driver.sync === undefined) return committed;
    // Durability is awaited outside the lock, so concurrent writers share one fsync.
    return committed
      .then((value) => this.#synced(value))
      .catch((error: unknown) => {
        throw asStoreError(op, error, group, key);
      });
  }

  async #synced<T>(value: T): Promise<T> {
    await this.#driver.sync?.();
    return value;
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
    const op = 'store.transaction';
    if (this.#closing !== undefined) return Promise.reject(closedError(op));
    if (typeof fn !== 'function') {
      return Promise.reject(new InvalidArgumentError(`${op}: the callback must be a function`));
    }
    const inside = this.#insideCall(op);
    const result = this.#transaction(op, fn, inside);
    return inside ? inside.guard(result) : result;
  }

  async #transaction<T>(
    op: string,
    fn: (tx: Transaction) => T | Promise<T>,
    inside: InsideCall | undefined,
  ): Promise<T> {
    let events: StoreEvent[] = [];
    const result = await this.#lock.run(() => {
      inside?.check();
      return this.#atomically(async () => {
        const tx = new Transaction(this.#driver, this.#now);
        this.#openTransaction = tx;
        try {
          const value = await (this.#asyncContext ? this.#asyncContext.run(tx, () => fn(tx)) : fn(tx));
          const finished = await tx[finish]();
          if (finished.failure !== undefined) throw finished.failure;
          events = finished.events;
          return value;
        } catch (error) {
          await tx[finish]();
          throw error;
        } finally {
          this.#openTransaction = undefined;
        }
      }, op).then((value) => {
        // Emitted under the lock, so they precede the events of any call waiting for it.
        if (events.length > 0) this.#hub.emit(events);
        return value;
      });
    });
    try {
      return await this.#synced(result);
    } catch (error) {
      throw asStoreError(op, error);
    }
  }

  /**
   * Subscribes to events matching `(group, key)`; `'*'` matches any group or key, and
   * `(group, '*')` also receives `delete_group` of that group.
   * @throws {ClosedError} when the store is closed.
   */
  watch(group: string, key: string, options?: WatchOptions): Watcher {
    this.#throwIfClosed('store.watch');
    return this.#hub.watch('store.watch', group, key, options);
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
    return this.#hub.onChange('store.onChange', fn);
  }

  /**
   * A view of the store confined to `namespace` (`^[a-zA-Z0-9-]+$`), optionally with quotas.
   * @throws {InvalidArgumentError} for a bad namespace or quota; {@link ClosedError} when closed.
   */
  scope(namespace: string, quota?: QuotaOptions): ScopedStore {
    this.#throwIfClosed('store.scope');
    return new ScopedStore(this, namespace, quota);
  }

  /** Makes every committed write durable now, whatever the driver's durability mode. */
  flush(): Promise<void> {
    const op = 'store.flush';
    if (this.#closing !== undefined) return Promise.reject(closedError(op));
    const inside = this.#insideCall(op);
    const result = (async () => {
      try {
        await this.#lock.run(() => inside?.check());
        await (this.#driver.flush ?? this.#driver.sync)?.call(this.#driver);
      } catch (error) {
        throw asStoreError(op, error);
      }
    })();
    return inside ? inside.guard(result) : result;
  }

  /**
   * Stops the purge timer, waits for the calls already made (an open transaction included),
   * ends every watcher, flushes and releases the database. Later calls fail with
   * {@link ClosedError}. Idempotent: every call returns the same Promise.
   */
  close(): Promise<void> {
    const inside = this.#closing === undefined ? this.#insideCall('store.close') : undefined;
    if (inside) {
      // From inside a transaction callback: close once the transaction is over (or not at all
      // if this is awaited there, which would wait forever).
      return inside.guard(this.#lock.run(() => inside.check()).then(() => this.close()));
    }
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#purgeTimer !== undefined) clearInterval(this.#purgeTimer);
    try {
      await this.#lock.run(async () => {
        this.#hub.closeAll();
        await this.#driver.close();
      });
    } catch (error) {
      throw asStoreError('store.close', error);
    }
  }

  /**
   * Runs `fn` between BEGIN and COMMIT, rolling back if anything fails. What `fn` throws
   * propagates unchanged (a transaction callback's own error); the engine's failures to begin
   * or commit become DriverErrors for `op`.
   */
  async #atomically<T>(fn: () => MaybePromise<T>, op: string): Promise<T> {
    const driver = this.#driver;
    try {
      await driver.begin();
    } catch (error) {
      throw asStoreError(op, error);
    }
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      await this.#rollback();
      throw error;
    }
    try {
      await driver.commit();
    } catch (error) {
      await this.#rollback();
      throw asStoreError(op, error);
    }
    return value;
  }

  async #rollback(): Promise<void> {
    try {
      await this.#driver.rollback();
    } catch (error) {
      // The error that caused the rollback is the one the caller needs.
      this.#onError(error);
    }
  }

  /** For a call made inside the callback of the transaction now open: how to guard it. */
  #insideCall(op: string): InsideCall | undefined {
    const tx = this.#openTransaction;
    if (tx === undefined || this.#asyncContext === undefined || this.#asyncContext.getStore() !== tx) return undefined;
    return insideCall(op, () => this.#openTransaction === tx);
  }

  #throwIfClosed(op: string): void {
    if (this.#closing !== undefined) throw closedError(op);
  }
}

function closedError(op: string): ClosedError {
  return new ClosedError(`${op}: the store is closed`);
}

/**
 * Runs `fn`, turning anything it throws or rejects with into a StoreError for `op`. Written
 * without `async` so that a synchronous answer stays synchronous.
 */
function guard<T>(fn: () => MaybePromise<T>, op: string, group?: string, key?: string): MaybePromise<T> {
  const fail = (error: unknown): never => {
    throw asStoreError(op, error, group, key);
  };
  try {
    const result = fn();
    return result instanceof Promise ? result.catch(fail) : result;
  } catch (error) {
    return fail(error);
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
