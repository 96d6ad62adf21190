/**
 * Continuations over values that may or may not be Promises. Synchronous drivers answer with
 * plain values; chaining through these instead of `await` keeps their hot paths free of extra
 * microtask turns while asynchronous drivers work unchanged.
 */
import type { MaybePromise } from './driver.js';

/** Applies `fn` to `value` now if it is a plain value, or when it resolves. */
export function then<T, R>(value: MaybePromise<T>, fn: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
