/**
 * A FIFO lock: the store holds it around every operation so that a driver sees one call at a
 * time, and a multi-statement operation (a quota check and its write, a transaction) cannot
 * interleave with anything else, whether the driver is synchronous or answers over messages.
 *
 * Reads may share it (`shared`), for drivers that can have several reads in flight: reads made
 * one after another then travel together instead of each waiting for the previous answer. A
 * shared holder never overtakes an exclusive one that asked before it, so calls still take
 * effect in the order they were made.
 */
import type { MaybePromise } from './driver.js';

interface Waiter {
  readonly shared: boolean;
  readonly wake: () => void;
}

export class Lock {
  #held = false;
  #readers = 0;
  readonly #waiters: Waiter[] = [];

  /**
   * Runs `fn` once every earlier holder has finished (or, with `shared`, once every earlier
   * exclusive holder has); releases the lock when it settles. When the lock is free and `fn`
   * answers synchronously (a synchronous driver), no extra turn of the event loop is spent.
   */
  run<T>(fn: () => MaybePromise<T>, shared = false): Promise<T> {
    if (this.tryAcquire(shared)) return this.#enter(fn, shared);
    return new Promise<void>((wake) => this.#waiters.push({ shared, wake })).then(() => this.#enter(fn, shared));
  }

  /**
   * Takes the lock now if it is free (for `shared`, free of exclusive holders and of waiters);
   * whoever gets `true` must {@link release} it. For the hottest callers, which would otherwise
   * build a closure for {@link run} on every call.
   */
  tryAcquire(shared: boolean): boolean {
    if (shared) {
      if (this.#held || this.#waiters.length > 0) return false;
      this.#readers++;
    } else {
      if (this.#held || this.#readers > 0) return false;
      this.#held = true;
    }
    return true;
  }

  #enter<T>(fn: () => MaybePromise<T>, shared: boolean): Promise<T> {
    let result: MaybePromise<T>;
    try {
      result = fn();
    } catch (error) {
      this.release(shared);
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      this.release(shared);
      return Promise.resolve(result);
    }
    return result.then(
      (value) => {
        this.release(shared);
        return value;
      },
      (error: unknown) => {
        this.release(shared);
        throw error;
      },
    );
  }

  /** Gives back what {@link tryAcquire} (or a turn of {@link run}) took, waking whoever is next. */
  release(shared: boolean): void {
    if (shared) {
      this.#readers--;
      if (this.#readers > 0) return;
    } else this.#held = false;
    const next = this.#waiters[0];
    if (next === undefined) return;
    // The lock passes straight to the next holder: an exclusive one, or every shared one in a row.
    if (!next.shared) {
      this.#waiters.shift();
      this.#held = true;
      next.wake();
      return;
    }
    while (this.#waiters[0]?.shared) {
      this.#readers++;
      (this.#waiters.shift() as Waiter).wake();
    }
  }
}
