/**
 * Calls made on a store from inside its own transaction callback. They wait for the
 * transaction, like every other call, so issuing one is fine — its result is there after the
 * commit. Awaiting one there is not: the callback would wait for a call that waits for the
 * callback. Where the store can tell such a call apart (it has async context), the Promise it
 * returns notices being awaited (or chained) while that transaction is still open, and then
 * rejects at once and cancels the call instead of hanging.
 */
import { InvalidArgumentError } from './errors.js';

/** What the store needs for one such call: a check at its turn, and a Promise to hand back. */
export interface InsideCall {
  /** Throws when the call was cancelled; the call runs it when its turn comes. */
  check(): void;
  /** The Promise given to the caller. */
  guard<T>(result: Promise<T>): Promise<T>;
}

/** Prepares a call made inside a transaction callback, while `isOpen()` says it is running. */
export function insideCall(op: string, isOpen: () => boolean): InsideCall {
  let cancelled = false;
  const error = (): InvalidArgumentError =>
    new InvalidArgumentError(
      `${op}: awaited on the store inside its own transaction callback, where it would wait for ` +
        'the transaction forever; use the transaction argument (tx) instead',
    );
  return {
    check() {
      if (cancelled) throw error();
    },
    guard<T>(result: Promise<T>): Promise<T> {
      return new AwaitGuard(result, () => {
        if (!isOpen()) return undefined;
        cancelled = true;
        return error();
      });
    },
  };
}

/** A Promise that refuses to be awaited while `deadlock()` says awaiting it would hang. */
class AwaitGuard<T> extends Promise<T> {
  // Promises derived from this one (by then, catch, finally) are plain Promises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  readonly #deadlock: () => Error | undefined;

  constructor(source: Promise<T>, deadlock: () => Error | undefined) {
    let settle: [(value: T) => void, (reason: unknown) => void] | undefined;
    super((resolve, reject) => {
      settle = [resolve, reject];
    });
    const [resolve, reject] = settle as [(value: T) => void, (reason: unknown) => void];
    source.then(resolve, reject);
    this.#deadlock = deadlock;
  }

  // `await` and Promise combinators call `then`; so do `catch` and `finally`.
  // biome-ignore lint/suspicious/noThenProperty: this is a Promise subclass; awaiting it must check for a deadlock
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    // biome-ignore lint/suspicious/noExplicitAny: Promise's own signature, which this overrides
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const deadlock = this.#deadlock();
    if (deadlock === undefined) return super.then(onFulfilled, onRejected);
    // The cancelled call rejects too, later; nobody will be listening to it.
    super.then(undefined, () => undefined);
    return Promise.reject(deadlock).then(onFulfilled, onRejected);
  }
}
