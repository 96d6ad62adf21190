/**
 * The `tx` handed to a `store.transaction` callback: the store's data methods, running inside
 * the lock the transaction holds, with events staged until commit.
 */
import type { SqlDriver } from './driver.js';
import { asStoreError, ClosedError, DriverError } from './errors.js';
import type { StoreEvent } from './events.js';
import type { Executor, ReadFn, WriteFn } from './executor.js';
import { Lock } from './lock.js';
import { Operations } from './operations.js';

/**
 * The data methods of a store inside {@link Store.transaction}: reads see the transaction's own
 * writes; nothing is visible to anyone else, and no event is emitted, until it commits.
 * It has no `transaction`, `scope`, `watch`, `onChange` or `close`.
 */
export class Transaction extends Operations {}

/** What a finished transaction leaves: the events to emit if it commits, and whether it may. */
export interface TransactionOutcome {
  events: StoreEvent[];
  /** An engine failure that forbids the commit, even if the callback caught it. */
  failure: DriverError | undefined;
}

/**
 * Runs a transaction's calls against the driver, one at a time, while the store holds its lock
 * for the whole transaction. The store ends it with {@link TransactionExecutor.finish}.
 */
export class TransactionExecutor implements Executor {
  readonly #driver: SqlDriver;
  readonly #now: () => number;
  // Calls made on `tx` without awaiting each other still reach the driver one at a time.
  readonly #lock = new Lock();
  readonly #events: StoreEvent[] = [];
  #active = true;
  // An engine failure may have left part of a multi-statement write applied: such a
  // transaction must not commit, whether or not the callback caught the error.
  #failure: DriverError | undefined;

  constructor(driver: SqlDriver, now: () => number) {
    this.#driver = driver;
    this.#now = now;
  }

  read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T> {
    return this.#lock
      .run(() => {
        this.#checkActive(op);
        return fn(this.#driver, this.#now());
      })
      .catch((error: unknown) => {
        throw asStoreError(op, error, group, key);
      });
  }

  write<T>(op: string, fn: WriteFn<T>, _atomic: boolean, group?: string, key?: string): Promise<T> {
    return this.#lock.run(async () => {
      this.#checkActive(op);
      // A write that fails part-way stages none of its events.
      const staged: StoreEvent[] = [];
      try {
        const result = await fn(this.#driver, this.#now(), staged);
        this.#events.push(...staged);
        return result;
      } catch (error) {
        const failure = asStoreError(op, error, group, key);
        if (failure instanceof DriverError) this.#failure ??= failure;
        throw failure;
      }
    });
  }

  /**
   * Waits for the calls already made on `tx`, then refuses any later one with
   * {@link ClosedError}.
   */
  finish(): Promise<TransactionOutcome> {
    return this.#lock.run(() => {
      this.#active = false;
      return { events: this.#events, failure: this.#failure };
    });
  }

  #checkActive(op: string): void {
    if (!this.#active) throw new ClosedError(`${op}: the transaction has already finished`);
  }
}
