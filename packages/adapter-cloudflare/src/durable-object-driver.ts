/**
 * A {@link SqlDriver} over a SQLite-backed Durable Object's `ctx.storage.sql`.
 *
 * Statements run synchronously. `BEGIN` and `SAVEPOINT` are refused there, so a transaction is
 * the object's own async one, `ctx.storage.transaction(closure)`, held open from `begin` until
 * `commit` or `rollback`: the closure waits on a Promise that those settle. That keeps a store
 * transaction whose callback awaits real I/O (a timer, a `fetch`) in one SQLite transaction.
 * `transactionSync` could not: it ends before the callback's first await.
 */
import type { SqlDriver, SqlRow, SqlValue } from '@go-store/core';
import type { DurableObjectSql, DurableObjectSqlValue, DurableObjectStorageLike } from './durable-object-types.js';

// `rowsWritten` counts index entries and trigger writes too (an insert into `kv` writes at least
// two rows), so it is not the number of rows a statement changed — except that it is zero
// exactly when nothing changed. So an INSERT of one VALUES row (the store's every unscoped set)
// changed one row when it wrote anything; for any other statement that wrote, SQLite is asked.
const SELECT_CHANGES = 'SELECT changes()';
const INSERT_ONE_ROW = /^\s*INSERT\s+INTO\s+\w+\s*\([^()]*\)\s*VALUES\s*\([^()]*\)(?!\s*,)/i;

/** Thrown inside the held transaction's closure to make the object roll it back. */
const ROLL_BACK = Symbol('roll back');

interface OpenTransaction {
  /** Settles when the object has committed or rolled back. */
  readonly done: Promise<unknown>;
  /** Lets the closure return (commit) or throw {@link ROLL_BACK} (roll back). */
  finish(commit: boolean): void;
}

/** Creates the driver; `storage` must have SQLite (checked by the caller). */
export function createDurableObjectDriver(storage: DurableObjectStorageLike): SqlDriver {
  const sql = storage.sql;
  let open: OpenTransaction | undefined;

  return {
    all: (query, params) => rows(sql, query, params),
    get: (query, params) => rows(sql, query, params)[0],
    run(query, params) {
      const written = sql.exec(query, ...bindings(params)).rowsWritten;
      if (written === 0) return 0;
      if (INSERT_ONE_ROW.test(query)) return 1;
      return Number(rows(sql, SELECT_CHANGES, [])[0]?.[0] ?? 0);
    },
    exec(query) {
      sql.exec(query);
    },
    begin() {
      if (open !== undefined) throw new Error('a transaction is already open');
      let started!: () => void;
      let finish!: (commit: boolean) => void;
      const running = new Promise<void>((resolve) => {
        started = resolve;
      });
      const outcome = new Promise<boolean>((resolve) => {
        finish = resolve;
      });
      const done = storage.transaction(async () => {
        started();
        if (!(await outcome)) throw ROLL_BACK;
      });
      const transaction = { done, finish };
      open = transaction;
      // Resolved from inside the closure: the store's work continues in the object's
      // transaction (workerd lets the transaction's own timers and I/O through its input gate).
      // If the object refuses to start one, begin fails and no transaction is left open.
      return Promise.race([
        running,
        done.then(
          () => undefined,
          (error: unknown) => {
            if (open === transaction) open = undefined;
            throw error;
          },
        ),
      ]);
    },
    async commit() {
      const transaction = take();
      transaction.finish(true);
      await transaction.done;
    },
    async rollback() {
      const transaction = take();
      transaction.finish(false);
      try {
        await transaction.done;
      } catch (error) {
        if (error !== ROLL_BACK) throw error;
      }
    },
    close() {
      // The object owns its storage: there is nothing to release.
    },
  };

  function take(): OpenTransaction {
    const transaction = open;
    if (transaction === undefined) throw new Error('no transaction is open');
    open = undefined;
    return transaction;
  }
}

function rows(sql: DurableObjectSql, query: string, params: readonly SqlValue[]): SqlRow[] {
  const out: SqlRow[] = [];
  for (const row of sql.exec(query, ...bindings(params)).raw()) out.push(row.map(fromSql));
  return out;
}

function bindings(params: readonly SqlValue[]): DurableObjectSqlValue[] {
  return params.map(toSql);
}

function toSql(value: SqlValue): DurableObjectSqlValue {
  if (typeof value !== 'bigint') return value;
  // workerd binds numbers only; every integer the store writes is a safe one.
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${value} is outside the integers a Durable Object binds exactly`);
  }
  return Number(value);
}

function fromSql(value: DurableObjectSqlValue): SqlValue {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : value;
}
