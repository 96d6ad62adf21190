/**
 * The `tx` handed to a `store.transaction` callback: the store's data methods, running inside
 * the lock the transaction holds, with events staged until commit.
 */
import type { SqlDriver, SqlRow, SqlValue } from './driver.js';
import { asStoreError, ClosedError, DriverError } from './errors.js';
import type { StoreEvent } from './events.js';
import { type Executor, operationClock, type ReadFn, type WriteFn } from './executor.js';
import { Lock } from './lock.js';
import { Operations } from './operations.js';

/**
 * The data methods of a store inside {@link Store.transaction}: reads see the transaction's own
 * writes; nothing is visible to anyone else, and no event is emitted, until it commits.
 * It has no `transaction`, `scope`, `watch`, `onChange` or `close`.
 */
export class Transaction extends Operations {
  readonly #executor: TransactionExecutor;

  /** @internal Handed to the callback of {@link Store.transaction}. */
  constructor(executor: TransactionExecutor) {
    super(executor);
    this.#executor = executor;
  }

  /**
   * The extension point for packages that keep tables of their own in the store's database
   * beside `kv` (sync keeps its clocks and change log this way): SQL run here is part of this
   * transaction, so it commits or rolls back with the transaction's own writes.
   *
   * Write `kv` through the data methods, never through this: they validate, check quotas and
   * emit events; SQL run here does none of that. Values are always parameters. As with every
   * write the store makes, a statement must be deterministic given its SQL and parameters (no
   * `random()`, no SQLite clock), since a driver may persist writes as (sql, params) records.
   */
  get sql(): TransactionSql {
    const executor = this.#executor;
    return {
      all: (sql, params = []) => executor.read('tx.sql.all', (driver) => driver.all(sql, params)),
      run: (sql, params = []) => executor.write('tx.sql.run', (driver) => driver.run(sql, params), true),
      exec: (sql) => executor.write('tx.sql.exec', (driver) => driver.exec(sql), true),
    };
  }
}

/** SQL run inside a transaction: see {@link Transaction.sql}. */
export interface TransactionSql {
  /** Runs a query; resolves to its rows, each an array of column values in select order. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a data-changing statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** Runs parameterless SQL, possibly several statements (creating tables and triggers). */
  exec(sql: string): Promise<void>;
}

/** What a finished transaction leaves: the events to emit if it commits, and whether it may. */
interface TransactionOutcome {
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
        return fn(this.#driver, operationClock(this.#now), group, key);
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
        const result = await fn(this.#driver, operationClock(this.#now), staged);
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
