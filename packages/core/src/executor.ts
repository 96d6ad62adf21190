/**
 * How a data method reaches the driver. The store's executor queues each operation on its lock
 * and emits events after commit; a transaction's runs inside the lock the transaction holds and
 * stages its events until it commits. The data methods (`operations.ts`, `scope.ts`) are
 * written once against this interface.
 */
import type { MaybePromise, SqlDriver } from './driver.js';
import type { StoreEvent } from './events.js';

/**
 * Where a write's events go: the store emits them after commit, a transaction stages them;
 * `null` when nobody is listening, so no event is built.
 */
type EventSink = StoreEvent[] | null;

/**
 * The time an operation runs at, in Unix ms by the store's clock: read when the operation first
 * asks (a point read of a key without expiry never does; reading a clock costs as much as a
 * lookup), the same value every time after, so that one operation sees one time.
 */
export type Clock = () => number;

/** The {@link Clock} of one operation, on the store's `now`. */
export function operationClock(now: () => number): Clock {
  let at: number | undefined;
  return () => {
    at ??= now();
    return at;
  };
}

/**
 * Runs one read against the driver, given the time it runs at and the group and key the read
 * was made for (so that a point read can be one function built once, not a closure per call).
 */
export type ReadFn<T> = (
  driver: SqlDriver,
  clock: Clock,
  group: string | undefined,
  key: string | undefined,
) => MaybePromise<T>;
/** Runs one write against the driver, pushing the events it causes. */
export type WriteFn<T> = (driver: SqlDriver, clock: Clock, events: EventSink) => MaybePromise<T>;

export interface Executor {
  /** Runs a read; `group` and `key` name what it reads in error messages. */
  read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T>;
  /**
   * Runs a write. `atomic` asks for the statements of `fn` to commit together (the store wraps
   * them in a transaction; a transaction is one already).
   */
  write<T>(op: string, fn: WriteFn<T>, atomic: boolean, group?: string, key?: string): Promise<T>;
}
