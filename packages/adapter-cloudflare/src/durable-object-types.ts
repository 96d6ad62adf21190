/**
 * The parts of a Durable Object's `ctx.storage` the store uses, declared structurally so that
 * this package's types resolve without `@cloudflare/workers-types`: the real `ctx.storage` of a
 * SQLite-backed object satisfies them as it is.
 */

/** A value bound to, or read from, `ctx.storage.sql` (BLOBs come back as `ArrayBuffer`). */
export type DurableObjectSqlValue = string | number | ArrayBuffer | Uint8Array | null;

/** The cursor `ctx.storage.sql.exec` returns. */
export interface DurableObjectSqlCursor {
  /** The result rows, each an array of column values in select order. */
  raw(): Iterable<DurableObjectSqlValue[]>;
  /** Rows written so far by the statement, index entries included (so not SQLite's `changes()`). */
  readonly rowsWritten: number;
}

/** `ctx.storage.sql`: SQLite inside the object, synchronous. */
export interface DurableObjectSql {
  exec(query: string, ...bindings: DurableObjectSqlValue[]): DurableObjectSqlCursor;
}

/** `ctx.storage` of a Durable Object whose class is listed in `new_sqlite_classes`. */
export interface DurableObjectStorageLike {
  /** Throws (on first use, or when read) for an object without SQLite storage. */
  readonly sql: DurableObjectSql;
  /**
   * Runs `closure` in a transaction that stays open across its awaits; it commits when the
   * closure resolves and rolls back when it rejects. While it is open the object's input gate
   * is closed: other events wait for it.
   */
  transaction<T>(closure: (txn: unknown) => Promise<T>): Promise<T>;
}
