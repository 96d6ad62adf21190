import type { StoreEvent } from './events.js';

/**
 * The one seam between the store and an SQLite build.
 *
 * A driver is a single connection. Every method may answer synchronously (sql.js, sqlite-wasm
 * inside a worker) or with a Promise (a proxy to a worker, D1, libSQL); the store accepts both.
 * The store never calls a driver concurrently (except reads, for a driver that asks for it with
 * `concurrentReads`): it issues one call at a time and waits for it, so a driver needs no
 * locking of its own, and a sequence of calls the store makes while it holds its lock (a quota
 * check then a write, a transaction) cannot interleave with anything.
 *
 * Drivers are expected to cache prepared statements by their SQL text: the store uses a small,
 * fixed set of statements and passes every value as a parameter.
 *
 * Every write the store issues is deterministic given its SQL and parameters (the clock is
 * always a parameter), so a driver may persist writes logically, as (sql, params) records that
 * it replays on open.
 *
 * @example A driver for better-sqlite3 (synchronous) in a few lines:
 * ```ts
 * const driver: SqlDriver = {
 *   all: (sql, params) => db.prepare(sql).raw().all(...params),
 *   get: (sql, params) => db.prepare(sql).raw().get(...params),
 *   run: (sql, params) => db.prepare(sql).run(...params).changes,
 *   exec: (sql) => void db.exec(sql),
 *   begin: () => void db.exec('BEGIN IMMEDIATE'),
 *   commit: () => void db.exec('COMMIT'),
 *   rollback: () => void db.exec('ROLLBACK'),
 *   close: () => void db.close(),
 * };
 * ```
 */
export interface SqlDriver {
  /** Runs a query; resolves to its rows, each an array of column values in select order. */
  all(sql: string, params: readonly SqlValue[]): MaybePromise<SqlRow[]>;
  /** Runs a query; resolves to its first row, or `undefined` when it has none. */
  get(sql: string, params: readonly SqlValue[]): MaybePromise<SqlRow | undefined>;
  /** Runs a data-changing statement; resolves to the number of rows it changed. */
  run(sql: string, params: readonly SqlValue[]): MaybePromise<number>;
  /** Runs parameterless SQL, possibly several statements (schema set-up, migrations). */
  exec(sql: string): MaybePromise<void>;
  /** Starts a write transaction. Transactions are never nested. */
  begin(): MaybePromise<void>;
  /** Commits the open transaction. */
  commit(): MaybePromise<void>;
  /** Rolls back the open transaction. */
  rollback(): MaybePromise<void>;
  /**
   * Optional: resolves once every write committed so far is durable. The store awaits it
   * before a write's Promise resolves, after releasing its lock, so concurrent writers can
   * share one fsync. Drivers without persistence (or that persist on commit) omit it.
   */
  sync?(): Promise<void>;
  /**
   * Optional: forces every committed write to durable storage now, whatever the driver's
   * durability mode (`store.flush()` calls it). Drivers whose `sync` already does that omit it.
   */
  flush?(): Promise<void>;
  /**
   * Optional: set by a driver that cannot keep what `store.transaction()` promises — one whose
   * `begin`…`commit` stages writes that its own reads cannot see (D1, which has no interactive
   * transactions). It says why; `transaction()` then rejects at once with a DriverError
   * carrying it, before the callback runs. The store's own multi-statement operations still
   * use `begin`/`commit` (they read first, then write).
   */
  readonly transactionsUnsupported?: string;
  /** Flushes and releases the database. Called once, after every other call has finished. */
  close(): MaybePromise<void>;
  /**
   * Optional: `true` when the driver can take reads while other reads are in flight (one that
   * pipelines its calls to another thread or tab). The store then lets reads made together go
   * together; writes and transactions still run alone, and no call overtakes an earlier one.
   */
  readonly concurrentReads?: boolean;
  /**
   * Optional: `true` when the database lives only in this driver's memory (`':memory:'`): no
   * other connection, process or program can read or write it, and it is gone once closed.
   * Packages built on the store read it through `store.inMemory` (sync then needs no
   * triggers to notice other writers, since there can be none).
   */
  readonly inMemory?: boolean;
  /**
   * Optional, for a database that several stores share at once (browser tabs, each with its own
   * store): the driver then carries the events. See {@link SharedEvents}.
   */
  readonly events?: SharedEvents;
}

/**
 * How a driver shared by several stores carries events. With it, a store wraps every write in
 * `begin()`/`commit()`, hands the write's events to {@link SharedEvents.log} just before
 * `commit()` so that they commit with it, and emits nothing itself: it emits what the driver
 * dispatches, which is every committed change of the database, from any store, in commit order.
 * A plain write (not a transaction) that fails with a retryable `DriverError` is run again.
 */
export interface SharedEvents {
  /** The events of the write about to commit (possibly none); they commit with it or not at all. */
  log(events: readonly StoreEvent[]): MaybePromise<void>;
  /**
   * Called once, when the store is created. The driver calls `dispatch` with every change
   * committed to the database from then on, in commit order, exactly once each; the events of a
   * store's own write before that write's `commit()` resolves.
   */
  subscribe(dispatch: (events: readonly StoreEvent[]) => void): void;
}

/** A value bound to or read from SQLite. TEXT comes back as `string`, BLOB as `Uint8Array`. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** One result row: column values in select order. */
export type SqlRow = readonly SqlValue[];

/** A value, or a Promise of it: drivers may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A driver whose every method answers synchronously (sql.js, sqlite-wasm inside a worker, a
 * Durable Object's SQL): what an adapter that must not yield between statements relies on.
 */
export type SyncSqlDriver = Omit<SqlDriver, SyncMethod> & {
  [K in SyncMethod]: (...args: Parameters<SqlDriver[K]>) => Exclude<ReturnType<SqlDriver[K]>, Promise<unknown>>;
};

type SyncMethod = 'all' | 'get' | 'run' | 'exec' | 'begin' | 'commit' | 'rollback' | 'close';
