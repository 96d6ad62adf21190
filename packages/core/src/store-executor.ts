/**
 * How the store's calls reach the driver: one at a time behind a lock, atomically where asked,
 * with durability awaited after the lock (so concurrent writers share one `sync`), and events
 * held under the lock right after each commit (so they follow commit order) and dispatched once
 * the write is durable (so a write that rejects emits nothing).
 */
import type { MaybePromise, SharedEvents, SqlDriver } from './driver.js';
import { asStoreError, ClosedError, DriverError } from './errors.js';
import type { EventHub, HeldEvents, StoreEvent } from './events.js';
import { type Executor, operationClock, type ReadFn, type WriteFn } from './executor.js';
import { type InsideCall, insideCall } from './inside-transaction.js';
import { Lock } from './lock.js';
import { then } from './maybe.js';
import { TransactionExecutor } from './transaction.js';

/** The part of `AsyncLocalStorage` the store uses. */
export interface AsyncContext {
  run<R>(store: unknown, callback: () => R): R;
  getStore(): unknown;
}

// A plain write on a shared driver is run again after a retryable failure (the database changed
// hands between tabs); a few times at most, so a database that keeps failing still answers.
const MAX_SHARED_WRITE_ATTEMPTS = 5;

interface ExecutorOptions {
  now: () => number;
  onError: (error: unknown) => void;
  asyncContext: AsyncContext | undefined;
}

export class StoreExecutor implements Executor {
  readonly driver: SqlDriver;
  readonly hub: EventHub;
  readonly lock = new Lock();
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #asyncContext: AsyncContext | undefined;
  #openTransaction: TransactionExecutor | undefined;
  #closed = false;

  constructor(driver: SqlDriver, hub: EventHub, options: ExecutorOptions) {
    this.driver = driver;
    this.hub = hub;
    this.#now = options.now;
    this.#onError = options.onError;
    this.#asyncContext = options.asyncContext;
    // A shared driver dispatches every committed change, this store's included.
    driver.events?.subscribe((events) => hub.emit(events));
  }

  /** Refuses every later call; the store then drains the lock and closes the driver. */
  markClosed(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The store's clock (its `now` option), read now. */
  now(): number {
    return this.#now();
  }

  read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T> {
    // Not through `guarded` nor, when the lock is free, `lock.run`: point reads are the hottest
    // path, and this spares them the closures those take (a measurable share of a native read).
    if (this.#closed) return Promise.reject(closedError(op));
    const inside = this.insideCall(op);
    const shared = this.driver.concurrentReads === true;
    if (inside === undefined && this.lock.tryAcquire(shared)) {
      let value: MaybePromise<T>;
      try {
        value = fn(this.driver, operationClock(this.#now), group, key);
      } catch (error) {
        return this.#failAcquired(error, shared, op, group, key);
      }
      return this.#settleAcquired(value, shared, op, group, key);
    }
    // The lock turns a throw into a rejection.
    const result = this.lock.run(() => {
      try {
        inside?.check();
        const value = fn(this.driver, operationClock(this.#now), group, key);
        return value instanceof Promise ? value.catch((error: unknown) => fail(error, op, group, key)) : value;
      } catch (error) {
        return fail(error, op, group, key);
      }
    }, shared);
    return inside ? inside.guard(result) : result;
  }

  write<T>(op: string, fn: WriteFn<T>, atomic: boolean, group?: string, key?: string): Promise<T> {
    // Written out like `read`, for the same reason.
    if (this.#closed) return Promise.reject(closedError(op));
    const inside = this.insideCall(op);
    // A single-statement write on a free lock: run it now, as `read` does.
    if (inside === undefined && !atomic && this.driver.events === undefined && this.lock.tryAcquire(false)) {
      if (!this.hub.active) {
        let value: MaybePromise<T>;
        try {
          value = fn(this.driver, operationClock(this.#now), null);
        } catch (error) {
          return this.#failAcquired(error, false, op, group, key);
        }
        const committed = this.#settleAcquired(value, false, op, group, key);
        return this.driver.sync === undefined
          ? committed
          : committed.then((value) => this.synced(value, undefined, op, group, key));
      }
      return this.#writeAcquired(fn, op, group, key);
    }
    let held: HeldEvents | undefined;
    const committed = this.lock.run(() => {
      try {
        inside?.check();
        const shared = this.driver.events;
        let value: MaybePromise<T>;
        if (shared !== undefined) value = this.#sharedWrite(op, fn, shared);
        // With nobody listening there are no events to hold: the write's answer is its result.
        else if (!this.hub.active && !atomic) value = fn(this.driver, operationClock(this.#now), null);
        else {
          const events: StoreEvent[] | null = this.hub.active ? [] : null;
          const hold = (result: T): T => {
            held = this.#hold(events);
            return result;
          };
          value = atomic
            ? this.atomically(() => fn(this.driver, operationClock(this.#now), events), op).then(hold)
            : then(fn(this.driver, operationClock(this.#now), events), hold);
        }
        return value instanceof Promise ? value.catch((error: unknown) => fail(error, op, group, key)) : value;
      } catch (error) {
        return fail(error, op, group, key);
      }
    });
    const result =
      this.driver.sync === undefined ? committed : committed.then((value) => this.synced(value, held, op, group, key));
    return inside ? inside.guard(result) : result;
  }

  /**
   * The answer of a call that ran at once on the lock it had just acquired (`shared` as taken),
   * with no events to hold; releases the lock when it settles. The hot paths of `read` and
   * `write`, without the closures of `lock.run`.
   */
  #settleAcquired<T>(value: MaybePromise<T>, shared: boolean, op: string, group?: string, key?: string): Promise<T> {
    if (!(value instanceof Promise)) {
      this.lock.release(shared);
      return Promise.resolve(value);
    }
    return value.then(
      (result) => {
        this.lock.release(shared);
        return result;
      },
      (error: unknown) => {
        this.lock.release(shared);
        return fail(error, op, group, key);
      },
    );
  }

  /** Such a call threw: releases the lock and rejects with the failure as a store error. */
  #failAcquired(error: unknown, shared: boolean, op: string, group?: string, key?: string): Promise<never> {
    this.lock.release(shared);
    return Promise.reject(asStoreError(op, error, group, key));
  }

  /**
   * A single-statement write with listeners, on the lock this call has just acquired: its
   * events are held right after it (so in commit order), then the lock is released.
   */
  #writeAcquired<T>(fn: WriteFn<T>, op: string, group?: string, key?: string): Promise<T> {
    const events: StoreEvent[] = [];
    let value: MaybePromise<T>;
    try {
      value = fn(this.driver, operationClock(this.#now), events);
    } catch (error) {
      return this.#failAcquired(error, false, op, group, key);
    }
    if (!(value instanceof Promise)) {
      const held = this.#hold(events);
      this.lock.release(false);
      return this.driver.sync === undefined ? Promise.resolve(value) : this.synced(value, held, op, group, key);
    }
    let held: HeldEvents | undefined;
    const committed = value.then(
      (result) => {
        held = this.#hold(events);
        this.lock.release(false);
        return result;
      },
      (error: unknown) => {
        this.lock.release(false);
        return fail(error, op, group, key);
      },
    );
    return this.driver.sync === undefined
      ? committed
      : committed.then((result) => this.synced(result, held, op, group, key));
  }

  /**
   * Runs `fn` in a transaction and resolves to its result, emitting the transaction's events
   * after it commits. `fn` gets the executor its `tx` runs on.
   */
  transaction<T>(op: string, fn: (executor: TransactionExecutor) => T | Promise<T>): Promise<T> {
    return this.guarded(op, async (inside) => {
      let events: StoreEvent[] = [];
      let held: HeldEvents | undefined;
      const result = await this.lock.run(() => {
        inside?.check();
        return this.atomically(async () => {
          const executor = new TransactionExecutor(this.driver, this.#now);
          this.#openTransaction = executor;
          try {
            const context = this.#asyncContext;
            const value = await (context ? context.run(executor, () => fn(executor)) : fn(executor));
            const finished = await executor.finish();
            if (finished.failure !== undefined) throw finished.failure;
            events = finished.events;
            await this.driver.events?.log(events);
            return value;
          } catch (error) {
            await executor.finish();
            throw error;
          } finally {
            this.#openTransaction = undefined;
          }
        }, op).then((value) => {
          // Held under the lock, so they precede the events of any call waiting for it (a shared
          // driver has dispatched them already).
          if (this.driver.events === undefined) held = this.#hold(events);
          return value;
        });
      });
      return this.synced(result, held, op);
    });
  }

  /**
   * A write on a shared driver: always atomic, its events logged with it (the driver dispatches
   * them), and run again when the driver reports a retryable failure, which means nothing was
   * written.
   */
  async #sharedWrite<T>(op: string, fn: WriteFn<T>, shared: SharedEvents): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const events: StoreEvent[] = [];
      try {
        return await this.atomically(async () => {
          const value = await fn(this.driver, operationClock(this.#now), events);
          await shared.log(events);
          return value;
        }, op);
      } catch (error) {
        if (!(error instanceof DriverError && error.retryable) || attempt >= MAX_SHARED_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  /** Makes every committed write durable now, whatever the driver's durability mode. */
  flush(op: string): Promise<void> {
    return this.guarded(op, async (inside) => {
      try {
        await this.lock.run(() => inside?.check());
        await (this.driver.flush ?? this.driver.sync)?.call(this.driver);
      } catch (error) {
        throw asStoreError(op, error);
      }
    });
  }

  /**
   * Refuses a call on a closed store; otherwise runs it, guarding it when it was made inside the
   * callback of the transaction now open (awaiting it there would wait forever).
   */
  guarded<T>(op: string, call: (inside: InsideCall | undefined) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError(op));
    const inside = this.insideCall(op);
    const result = call(inside);
    return inside ? inside.guard(result) : result;
  }

  /** For a call made inside the callback of the transaction now open: how to guard it. */
  insideCall(op: string): InsideCall | undefined {
    const tx = this.#openTransaction;
    if (tx === undefined || this.#asyncContext === undefined || this.#asyncContext.getStore() !== tx) return undefined;
    return insideCall(op, () => this.#openTransaction === tx);
  }

  /** Resolves to `value` once the write is durable; dispatches its events then, or drops them. */
  async synced<T>(value: T, held: HeldEvents | undefined, op: string, group?: string, key?: string): Promise<T> {
    try {
      await this.driver.sync?.();
    } catch (error) {
      held?.drop();
      throw asStoreError(op, error, group, key);
    }
    held?.release();
    return value;
  }

  /**
   * Holds a committed write's events (taken under the lock, so in commit order) until the write
   * is durable. Without `sync` a write is as durable as it gets once committed: they go at once.
   */
  #hold(events: readonly StoreEvent[] | null): HeldEvents | undefined {
    if (events === null || events.length === 0) return undefined;
    // Nothing is ever held back then, so nothing can be waiting ahead of these.
    if (this.driver.sync === undefined) {
      this.hub.emit(events);
      return undefined;
    }
    return this.hub.hold(events);
  }

  /**
   * Runs `fn` between BEGIN and COMMIT, rolling back if anything fails. What `fn` throws
   * propagates unchanged (a transaction callback's own error); the engine's failures to begin
   * or commit become DriverErrors for `op`.
   */
  async atomically<T>(fn: () => MaybePromise<T>, op: string): Promise<T> {
    const driver = this.driver;
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
      await this.driver.rollback();
    } catch (error) {
      // The error that caused the rollback is the one the caller needs.
      this.#onError(error);
    }
  }
}

export function closedError(op: string): ClosedError {
  return new ClosedError(`${op}: the store is closed`);
}

/** Turns anything a call throws or rejects with into a StoreError for `op`. */
function fail(error: unknown, op: string, group: string | undefined, key: string | undefined): never {
  throw asStoreError(op, error, group, key);
}
