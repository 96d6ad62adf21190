/**
 * A go-store `SqlDriver` (see `@go-store/core`) over a sql.js `Database`.
 *
 * This module imports nothing from `node:*` so that it serves Deno, Bun, browsers and workerd
 * as well as Node: the caller loads sql.js (however its runtime loads WebAssembly) and hands
 * over the database.
 */
import type { Database, SqlValue as SqlJsValue, Statement } from 'sql.js';

/**
 * A value bound to or read from SQLite: the shape of core's `SqlValue`. Declared here, not
 * imported, so that this package depends on no other of ours: the driver fits core's
 * `SqlDriver` by its shape.
 */
type SqlValue = string | number | bigint | Uint8Array | null;
/** One result row, as core's `SqlRow`. */
type SqlRow = readonly SqlValue[];

/**
 * Runs `load` — a call of sql.js's `initSqlJs` — so that the engine it creates keeps a leading
 * U+FEFF in the text it reads.
 *
 * sql.js decodes every TEXT value with one `new TextDecoder()` made when the engine is
 * created, and a default TextDecoder strips a leading byte-order mark: `'\uFEFFtext'` would
 * come back as `'text'`. The decoder is created synchronously inside `initSqlJs`, so for the
 * length of that call `TextDecoder` is a subclass that keeps byte-order marks; the global is
 * restored before this returns.
 *
 * @example
 * ```ts
 * const SQL = await preservingByteOrderMarks(() => initSqlJs({ instantiateWasm }));
 * ```
 */
export function preservingByteOrderMarks<T>(load: () => T): T {
  const Original = globalThis.TextDecoder;
  class KeepingByteOrderMarks extends Original {
    constructor(label?: string, options?: ConstructorParameters<typeof TextDecoder>[1]) {
      super(label, { ...options, ignoreBOM: true });
    }
  }
  globalThis.TextDecoder = KeepingByteOrderMarks;
  try {
    return load();
  } finally {
    globalThis.TextDecoder = Original;
  }
}

/**
 * A sql.js driver: every method of go-store's `SqlDriver`, answering synchronously, with access
 * to the database for adapters that persist it (`db`, and `clearStatements` to finalise cached
 * statements before `db.export()` or `db.close()`).
 */
export type SqlJsDriver = ReturnType<typeof createSqlJsDriver>;

/**
 * Wraps a sql.js database. Prepared statements are cached by SQL text and reused.
 *
 * sql.js keeps the database in Emscripten's in-memory file system, where SQLite still takes
 * file locks around every statement; `locking_mode=EXCLUSIVE` removes that cost (about 5× for
 * reads, 15× for writes), which is safe because this connection is the only one.
 *
 * `inMemory` says the database is an ephemeral one (`':memory:'`) rather than the image of a
 * file that an adapter persists; the store reports it as `store.inMemory`.
 */
export function createSqlJsDriver(db: Database, { inMemory = false }: { inMemory?: boolean } = {}) {
  db.exec('PRAGMA locking_mode=EXCLUSIVE');
  const statements = new Map<string, Statement>();

  function prepare(sql: string): Statement {
    let stmt = statements.get(sql);
    if (stmt === undefined) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  }

  // Engine errors propagate as sql.js throws them; the store wraps them in DriverError with
  // the operation that failed.
  function withStatement<T>(sql: string, params: readonly SqlValue[], use: (stmt: Statement) => T): T {
    const stmt = prepare(sql);
    try {
      stmt.bind(params as SqlJsValue[]);
      return use(stmt);
    } finally {
      stmt.reset();
    }
  }

  function exec(sql: string): void {
    db.exec(sql);
  }

  return {
    db,
    inMemory,
    all(sql: string, params: readonly SqlValue[]): SqlRow[] {
      return withStatement(sql, params, (stmt) => {
        const rows: SqlRow[] = [];
        while (stmt.step()) rows.push(stmt.get() as SqlRow);
        return rows;
      });
    },
    get(sql: string, params: readonly SqlValue[]): SqlRow | undefined {
      return withStatement(sql, params, (stmt) => (stmt.step() ? (stmt.get() as SqlRow) : undefined));
    },
    /** The number of rows the statement changed. */
    run(sql: string, params: readonly SqlValue[]): number {
      return withStatement(sql, params, (stmt) => {
        stmt.step();
        return db.getRowsModified();
      });
    },
    exec,
    begin: (): void => exec('BEGIN IMMEDIATE'),
    commit: (): void => exec('COMMIT'),
    rollback: (): void => exec('ROLLBACK'),
    clearStatements(): void {
      for (const stmt of statements.values()) stmt.free();
      statements.clear();
    },
    close(): void {
      this.clearStatements();
      db.close();
    },
  };
}
