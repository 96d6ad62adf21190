/**
 * A FIFO lock: the store holds it around every operation so that a driver sees one call at a
 * time, and a multi-statement operation (a quota check and its write, a transaction) cannot
 * interleave with anything else, whether the driver is synchronous or answers over messages.
 */
export class Lock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Runs `fn` once every earlier holder has finished; releases the lock when it settles. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#held = true;
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    }
  }
}
