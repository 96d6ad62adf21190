/**
 * A {@link SqlDriver} on the runtime's own SQLite (`node:sqlite`, `bun:sqlite`), with group
 * commit: the writes of concurrent callers share one SQLite transaction and so one fsync.
 *
 * Every write joins the open *batch*, a `BEGIN IMMEDIATE` transaction the first write starts; the
 * batch commits once the callers that are ready have run (on the next `setImmediate`), and
 * `sync()` resolves when the batch holding the caller's write has committed. With
 * `synchronous=FULL` that commit is durable, so a write's Promise resolves only once it is
 * durable, and a failed commit rejects every write of its batch. A store transaction (and every
 * multi-statement write) is a SAVEPOINT inside the batch, so rolling one back leaves the other
 * writes of the batch alone; the batch never commits while a store transaction is open.
 *
 * In memory (`':memory:'`) there is nothing to share: each write, or transaction, commits at
 * once; a statement outside a store transaction runs in SQLite's own autocommit, as one
 * transaction by itself, with no BEGIN and COMMIT of ours around it.
 *
 * Reads run on the same connection and so see the batch's writes at once, as the store's own
 * calls must. Other connections (processes, `sqlite3`) see a write once its batch committed,
 * which is before its Promise resolves.
 */
import { DriverError, type SqlDriver, type SqlRow, type SqlValue } from '@go-store/core';
import { WriteOutcomeUnknownError } from '../errors.js';
import type { NativeConnection, NativeStatement } from './connection.js';

const BEGIN_BATCH = 'BEGIN IMMEDIATE';
const COMMIT_BATCH = 'COMMIT';
const ROLLBACK_BATCH = 'ROLLBACK';
const BEGIN_TRANSACTION = 'SAVEPOINT go_store_transaction';
const COMMIT_TRANSACTION = 'RELEASE go_store_transaction';
const ROLLBACK_TRANSACTION = 'ROLLBACK TO go_store_transaction';

/** Statements that only read: they need no batch. */
const READ_SQL = /^\s*(?:select|values|explain)\b/i;

/** A cached statement, and whether it only reads (so needs no batch). */
interface Cached {
  readonly statement: NativeStatement;
  readonly reads: boolean;
}

/** Connections of this process to each database file, so that they do not wait on each other. */
const connections = new Map<string, Set<NativeDriver>>();

interface Batch {
  /** Settles when the batch has committed (or failed). */
  readonly committed: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** Writes in it, for messages. */
  writes: number;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const committed = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody waits for (one opened by a read deleting an expired key) may fail unobserved.
  committed.catch(() => undefined);
  return { committed, resolve, reject, writes: 0 };
}

/** The driver; see the module's description. */
export class NativeDriver implements SqlDriver {
  readonly #db: NativeConnection;
  /** The database file (or `':memory:'`), for messages and to find this process's other connections. */
  readonly #path: string;
  readonly #statements = new Map<string, Cached>();
  readonly inMemory: boolean;
  readonly #peers: Set<NativeDriver> | undefined;
  /** Whether commits are fsynced (a file), so worth sharing. */
  readonly #groupCommit: boolean;
  #batch: Batch | undefined;
  #lastCommit: Promise<void> = Promise.resolve();
  #inTransaction = false;
  #commitScheduled = false;
  #closed = false;

  constructor(db: NativeConnection, path: string) {
    this.#db = db;
    this.#path = path;
    this.inMemory = path === ':memory:';
    this.#groupCommit = !this.inMemory;
    this.sync = this.#groupCommit ? () => this.#batch?.committed ?? this.#lastCommit : undefined;
    if (this.#groupCommit) {
      let peers = connections.get(path);
      if (peers === undefined) {
        peers = new Set();
        connections.set(path, peers);
      }
      peers.add(this);
      this.#peers = peers;
    }
  }

  all(sql: string, params: readonly SqlValue[]): SqlRow[] | Promise<SqlRow[]> {
    const { statement, reads } = this.#statement(sql);
    if (reads || this.#autocommits()) return statement.all(params);
    return this.#write(() => statement.all(params));
  }

  get(sql: string, params: readonly SqlValue[]): SqlRow | undefined | Promise<SqlRow | undefined> {
    const { statement, reads } = this.#statement(sql);
    if (reads || this.#autocommits()) return statement.get(params);
    return this.#write(() => statement.get(params));
  }

  run(sql: string, params: readonly SqlValue[]): number | Promise<number> {
    const { statement } = this.#statement(sql);
    if (this.#autocommits()) return statement.run(params);
    return this.#write(() => statement.run(params));
  }

  exec(sql: string): void {
    // Schema changes run on their own, committed (and durable) before they return.
    if (!this.#inTransaction) this.#commitBatch();
    this.#db.exec(sql);
  }

  begin(): void | Promise<void> {
    const waiting = this.#openBatch();
    if (waiting !== undefined) return waiting.then(() => this.begin());
    this.#db.exec(BEGIN_TRANSACTION);
    this.#inTransaction = true;
  }

  commit(): void {
    this.#db.exec(COMMIT_TRANSACTION);
    this.#transactionEnded();
  }

  rollback(): void {
    // After some errors (a full disk, I/O) SQLite has already rolled the whole batch back.
    if (this.#db.inTransaction) {
      this.#db.exec(ROLLBACK_TRANSACTION);
      this.#db.exec(COMMIT_TRANSACTION);
    }
    this.#transactionEnded();
  }

  /**
   * Resolves once the batch holding every write made so far has committed. Absent in memory,
   * where a write has committed by the time it returns: the store then resolves it at once.
   */
  readonly sync: (() => Promise<void>) | undefined;

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#inTransaction && this.#db.inTransaction) this.#db.exec(ROLLBACK_TRANSACTION);
      this.#inTransaction = false;
      this.#commitBatch();
    } finally {
      this.#peers?.delete(this);
      if (this.#peers?.size === 0) connections.delete(this.#path);
      this.#db.close();
    }
  }

  #statement(sql: string): Cached {
    let cached = this.#statements.get(sql);
    if (cached === undefined) {
      cached = { statement: this.#db.prepare(sql), reads: READ_SQL.test(sql) };
      this.#statements.set(sql, cached);
    }
    return cached;
  }

  /**
   * Whether a write may run on its own in SQLite's autocommit: in memory (nothing to share), with
   * no store transaction and no batch open (a batch here is one the store transaction left, not
   * yet committed). A closed connection refuses it as a batch would.
   */
  #autocommits(): boolean {
    if (this.#groupCommit || this.#inTransaction || this.#batch !== undefined) return false;
    if (this.#closed) throw new DriverError(`${this.#path}: the database is closed`, undefined);
    return true;
  }

  /** Runs a statement that may write, inside the batch (opened if need be). */
  #write<T>(execute: () => T): T | Promise<T> {
    const waiting = this.#openBatch();
    if (waiting !== undefined) return waiting.then(() => this.#write(execute));
    const batch = this.#batch;
    try {
      const result = execute();
      if (batch !== undefined) batch.writes++;
      return result;
    } catch (error) {
      // A failed statement undoes only itself, unless SQLite ended the whole transaction.
      if (batch !== undefined && !this.#db.inTransaction) this.#batchLost(batch, error);
      throw error;
    }
  }

  /**
   * Makes sure a batch is open. Another connection of this process to the same file holding the
   * write lock would make `BEGIN IMMEDIATE` wait for a commit that cannot happen while this
   * thread waits: its batch is committed first, or, when a store transaction holds it open, the
   * returned Promise waits for that batch to end.
   */
  #openBatch(): Promise<void> | undefined {
    if (this.#batch !== undefined) return undefined;
    if (this.#closed) throw new DriverError(`${this.#path}: the database is closed`, undefined);
    for (const peer of this.#peers ?? []) {
      if (peer === this || peer.#batch === undefined) continue;
      if (peer.#inTransaction) return peer.#batch.committed.catch(() => undefined);
      peer.#commitBatch();
    }
    this.#db.exec(BEGIN_BATCH);
    this.#batch = newBatch();
    // In memory the batch is a store transaction's, committed when it ends.
    if (this.#groupCommit) this.#scheduleCommit();
    return undefined;
  }

  #scheduleCommit(): void {
    if (this.#commitScheduled) return;
    this.#commitScheduled = true;
    // After the callers that are ready now have added their writes.
    setImmediate(() => {
      this.#commitScheduled = false;
      if (!this.#inTransaction) this.#commitBatch();
    });
  }

  #transactionEnded(): void {
    this.#inTransaction = false;
    const batch = this.#batch;
    if (batch !== undefined && !this.#db.inTransaction) this.#batchLost(batch, undefined);
    if (this.#batch === undefined) return;
    if (this.#groupCommit) this.#scheduleCommit();
    else this.#commitBatch();
  }

  /** Commits the open batch now; its writers learn the outcome through `sync()`. */
  #commitBatch(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    this.#lastCommit = batch.committed;
    try {
      this.#db.exec(COMMIT_BATCH);
      batch.resolve();
    } catch (error) {
      try {
        if (this.#db.inTransaction) this.#db.exec(ROLLBACK_BATCH);
      } catch {
        // The commit's error is the one to report.
      }
      // After an I/O error the commit may still be found in the -wal file once reopened.
      batch.reject(
        new WriteOutcomeUnknownError(
          `${this.#path}: the commit of ${batch.writes} write(s) failed, so whether they took effect is unknown (check after reopening): ${describe(error)}`,
          error,
        ),
      );
    }
  }

  /** SQLite rolled the whole batch back after an error: every write in it has failed. */
  #batchLost(batch: Batch, error: unknown): void {
    this.#batch = undefined;
    this.#lastCommit = batch.committed;
    batch.reject(
      new DriverError(
        `${this.#path}: SQLite rolled back the shared transaction of ${batch.writes} write(s) after an error, so none of them is kept${error === undefined ? '' : `: ${describe(error)}`}`,
        error,
      ),
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
