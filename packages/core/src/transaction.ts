/**
 * The `tx` handed to a `store.transaction` callback: the store's data methods, running inside
 * the lock the transaction holds, with events staged until commit.
 */
import type { SqlDriver } from './driver.js';
import { asStoreError, ClosedError, DriverError } from './errors.js';
import type { StoreEvent } from './events.js';
import { Lock } from './lock.js';
import { Operations, type ReadFn, type WriteFn } from './operations.js';

/** Ends a transaction's life; kept off the public surface. */
export const finish = Symbol('finish');

/**
 * The data methods of a store inside {@link Store.transaction}: reads see the transaction's own
 * writes; nothing is visible to anyone else, and no event is emitted, until it commits.
 * It has no `transaction`, `scope`, `watch`, `onChange` or `close`.
 */
export class Transaction extends Operations {
  readonly #driver: SqlDriver;
  readonly #now: () => number;
  // Calls made on `tx` without awaiting each other still reach the driver one at a time.
  readonly #lock = new Lock();
  readonly #events: StoreEvent[] = [];
  #active = true;
  // An engine failure may have left part of a multi-statement write applied: such a
  // transaction must not commit, whether or not the callback caught the error.
  #failure: DriverError | undefined;

  /** @internal Created by {@link Store.transaction}. */
  constructor(driver: SqlDriver, now: () => number) {
    super();
    this.#driver = driver;
    this.#now = now;
  }

  protected read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T> {
    return this.#lock
      .run(() => {
        this.#checkActive(op);
        return fn(this.#driver, this.#now());
      })
      .catch((error: unknown) => {
        throw asStoreError(op, error, group, key);
      });
  }

  protected write<T>(op: string, fn: WriteFn<T>, _atomic: boolean, group?: string, key?: string): Promise<T> {
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
   * @internal Waits for the calls already made on `tx`, then refuses any later one; resolves
   * to the events to emit if the transaction commits, and the engine failure that forbids it
   * to commit, if there was one.
   */
  [finish](): Promise<{ events: StoreEvent[]; failure: DriverError | undefined }> {
    return this.#lock.run(() => {
      this.#active = false;
      return { events: this.#events, failure: this.#failure };
    });
  }

  #checkActive(op: string): void {
    if (!this.#active) throw new ClosedError(`${op}: the transaction has already finished`);
  }
}
