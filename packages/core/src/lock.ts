/**
 * A FIFO lock: the store holds it around every operation so that a driver sees one call at a
 * time, and a multi-statement operation (a quota check and its write, a transaction) cannot
 * interleave with anything else, whether the driver is synchronous or answers over messages.
 */
import type { MaybePromise } from './driver.js';

export class Lock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /**
   * Runs `fn` once every earlier holder has finished; releases the lock when it settles. When
   * the lock is free and `fn` answers synchronously (a synchronous driver), no extra turn of
   * the event loop is spent.
   */
  run<T>(fn: () => MaybePromise<T>): Promise<T> {
    if (this.#held) {
      return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() => this.#enter(fn));
    }
    this.#held = true;
    return this.#enter(fn);
  }

  #enter<T>(fn: () => MaybePromise<T>): Promise<T> {
    let result: MaybePromise<T>;
    try {
      result = fn();
    } catch (error) {
      this.#release();
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) {
      this.#release();
      return Promise.resolve(result);
    }
    return result.then(
      (value) => {
        this.#release();
        return value;
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next)
      next(); // the lock passes straight to the next holder
    else this.#held = false;
  }
}
