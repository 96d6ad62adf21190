/** Settling Promises by hand and waiting on the host's timers, for the suite's ordering tests. */
import * as assert from 'uvu/assert';

/** A Promise the test settles by hand. */
interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The host's timer, typed here because the suite compiles against the ECMAScript library alone. */
const host = globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown };

/** Yields to the event loop once (a macrotask), letting timers and I/O run. */
export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => {
    host.setTimeout(resolve, ms);
  });
}

/**
 * Waits until `condition()` holds, polling with short pauses, at most `attempts` times; fails
 * the test if it never does. For behaviour driven by the store's own timers (the background
 * purge), where there is no event to wait on.
 */
export async function eventually(condition: () => Promise<boolean>, what: string, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return;
    await tick(10);
  }
  assert.unreachable(`never happened: ${what}`);
}
