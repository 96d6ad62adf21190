/**
 * A synchronous {@link SqlDriver} over sqlite-wasm's C API, for a database opened in the current
 * context (a worker for OPFS, anywhere for `:memory:`).
 *
 * sqlite-wasm's object API (oo1) converts every bound string and every column through generic
 * JavaScript wrappers; for the store's point reads and writes that conversion costs more than
 * SQLite's own work. Here statements are prepared once and cached by SQL text, strings are
 * encoded straight into a reusable buffer in WebAssembly memory and bound with their byte
 * length, and text columns are decoded from their byte length (so NUL characters round-trip).
 */
import type { SqlRow, SqlValue, SyncSqlDriver } from '@go-store/core';
import { engineError, SQLITE_DONE, SQLITE_OK, SQLITE_ROW } from './engine-error.js';
import type { Sqlite3 } from './sqlite3.js';

/** The raw WebAssembly exports the driver calls; pointers are 32-bit offsets into memory. */
interface RawExports {
  sqlite3_step(stmt: number): number;
  sqlite3_reset(stmt: number): number;
  sqlite3_finalize(stmt: number): number;
  sqlite3_bind_null(stmt: number, index: number): number;
  sqlite3_bind_int(stmt: number, index: number, value: number): number;
  sqlite3_bind_int64(stmt: number, index: number, value: bigint): number;
  sqlite3_bind_double(stmt: number, index: number, value: number): number;
  sqlite3_bind_text(stmt: number, index: number, text: number, bytes: number, destructor: number): number;
  sqlite3_bind_blob(stmt: number, index: number, blob: number, bytes: number, destructor: number): number;
  sqlite3_column_count(stmt: number): number;
  sqlite3_column_type(stmt: number, column: number): number;
  sqlite3_column_text(stmt: number, column: number): number;
  sqlite3_column_blob(stmt: number, column: number): number;
  sqlite3_column_bytes(stmt: number, column: number): number;
  sqlite3_column_double(stmt: number, column: number): number;
  sqlite3_column_int64(stmt: number, column: number): bigint;
  sqlite3_changes(db: number): number;
  sqlite3_malloc(bytes: number): number;
  sqlite3_free(pointer: number): void;
}

const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;
/** Tells SQLite to copy a bound value at once, so the scratch buffer can be reused. */
const SQLITE_TRANSIENT = -1;
/** Tells SQLite the statement will be reused many times. */
const SQLITE_PREPARE_PERSISTENT = 1;

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** A driver over one sqlite-wasm connection, with a hook that runs after the database closes. */
// Synchronous, every method: the leader relies on that (see leader.ts).
export type SqliteWasmDriver = SyncSqlDriver & {
  /** The `sqlite3*` handle. */
  readonly db: number;
  /** Runs SQL and returns the first column of the first row (for pragmas); for the adapter's own use. */
  pragma(sql: string): SqlValue | undefined;
};

/**
 * Wraps an open `sqlite3*` connection. `onClose` runs after the connection is closed (the adapter
 * releases its OPFS lock there), even when closing fails.
 */
export function createSqliteWasmDriver(
  sqlite3: Sqlite3,
  db: number,
  onClose: () => void = () => undefined,
): SqliteWasmDriver {
  const { capi, wasm } = sqlite3;
  const raw = wasm.exports as RawExports;
  const encoder = new TextEncoder();
  // ignoreBOM: a leading U+FEFF is data, not a marker to strip.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const statements = new Map<string, number>();
  let scratch = 0;
  let scratchSize = 0;
  let closed = false;

  function fail(rc: number): never {
    throw engineError(capi.sqlite3_extended_errcode(db), rc === SQLITE_OK ? 'unknown error' : capi.sqlite3_errmsg(db));
  }

  function prepare(sql: string): number {
    let stmt = statements.get(sql);
    if (stmt !== undefined) return stmt;
    const stack = wasm.pstack.pointer;
    try {
      const out = wasm.pstack.allocPtr() as number;
      const rc = capi.sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, null);
      if (rc !== SQLITE_OK) fail(rc);
      stmt = wasm.peekPtr(out) as number;
    } finally {
      wasm.pstack.restore(stack);
    }
    statements.set(sql, stmt);
    return stmt;
  }

  /** A buffer in WebAssembly memory of at least `bytes` bytes, reused across calls. */
  function reserve(bytes: number): number {
    if (bytes > scratchSize) {
      const size = Math.max(bytes, scratchSize * 2, 4096);
      const pointer = raw.sqlite3_malloc(size);
      if (pointer === 0) throw engineError(7, 'out of memory');
      if (scratch !== 0) raw.sqlite3_free(scratch);
      scratch = pointer;
      scratchSize = size;
    }
    return scratch;
  }

  function bindText(stmt: number, index: number, text: string): number {
    // UTF-8 needs at most three bytes per UTF-16 code unit.
    const pointer = reserve(text.length * 3 + 1);
    const { written } = encoder.encodeInto(text, wasm.heap8u().subarray(pointer, pointer + scratchSize));
    return raw.sqlite3_bind_text(stmt, index, pointer, written, SQLITE_TRANSIENT);
  }

  function bindBlob(stmt: number, index: number, blob: Uint8Array): number {
    const pointer = reserve(blob.length + 1);
    wasm.heap8u().set(blob, pointer);
    return raw.sqlite3_bind_blob(stmt, index, pointer, blob.length, SQLITE_TRANSIENT);
  }

  function bindNumber(stmt: number, index: number, value: number): number {
    if (Number.isInteger(value)) {
      if (value >= INT32_MIN && value <= INT32_MAX) return raw.sqlite3_bind_int(stmt, index, value);
      if (Number.isSafeInteger(value)) return raw.sqlite3_bind_int64(stmt, index, BigInt(value));
    }
    return raw.sqlite3_bind_double(stmt, index, value);
  }

  function bind(stmt: number, params: readonly SqlValue[]): void {
    for (let i = 0; i < params.length; i++) {
      const value = params[i];
      const index = i + 1;
      let rc: number;
      if (typeof value === 'string') rc = bindText(stmt, index, value);
      else if (typeof value === 'number') rc = bindNumber(stmt, index, value);
      else if (value === null || value === undefined) rc = raw.sqlite3_bind_null(stmt, index);
      else if (typeof value === 'bigint') rc = raw.sqlite3_bind_int64(stmt, index, value);
      else rc = bindBlob(stmt, index, value);
      if (rc !== SQLITE_OK) fail(rc);
    }
  }

  function column(stmt: number, i: number): SqlValue {
    switch (raw.sqlite3_column_type(stmt, i)) {
      case SQLITE_TEXT: {
        const pointer = raw.sqlite3_column_text(stmt, i);
        const bytes = raw.sqlite3_column_bytes(stmt, i);
        return bytes === 0 ? '' : decoder.decode(wasm.heap8u().subarray(pointer, pointer + bytes));
      }
      case SQLITE_INTEGER: {
        const value = raw.sqlite3_column_double(stmt, i);
        return Number.isSafeInteger(value) ? value : raw.sqlite3_column_int64(stmt, i);
      }
      case SQLITE_FLOAT:
        return raw.sqlite3_column_double(stmt, i);
      case SQLITE_BLOB: {
        const pointer = raw.sqlite3_column_blob(stmt, i);
        const bytes = raw.sqlite3_column_bytes(stmt, i);
        return bytes === 0 ? new Uint8Array(0) : wasm.heap8u().slice(pointer, pointer + bytes);
      }
      default:
        return null;
    }
  }

  function row(stmt: number): SqlRow {
    const count = raw.sqlite3_column_count(stmt);
    if (count === 1) return [column(stmt, 0)];
    const values: SqlValue[] = new Array<SqlValue>(count);
    for (let i = 0; i < count; i++) values[i] = column(stmt, i);
    return values;
  }

  /** Steps once; returns whether a row is available. The caller resets the statement. */
  function step(stmt: number): boolean {
    const rc = raw.sqlite3_step(stmt);
    if (rc === SQLITE_ROW) return true;
    if (rc === SQLITE_DONE) return false;
    return fail(rc);
  }

  function run<T>(sql: string, params: readonly SqlValue[], use: (stmt: number) => T): T {
    if (closed) throw engineError(21, 'the database connection is closed');
    const stmt = prepare(sql);
    try {
      bind(stmt, params);
      return use(stmt);
    } finally {
      // Resetting releases the statement's read transaction; bindings are overwritten next time.
      raw.sqlite3_reset(stmt);
    }
  }

  function exec(sql: string): void {
    if (closed) throw engineError(21, 'the database connection is closed');
    const rc = capi.sqlite3_exec(db, sql, 0, 0, 0);
    if (rc !== SQLITE_OK) fail(rc);
  }

  function execCached(sql: string): void {
    run(sql, [], (stmt) => step(stmt));
  }

  return {
    db,
    all(sql, params) {
      return run(sql, params, (stmt) => {
        const rows: SqlRow[] = [];
        while (step(stmt)) rows.push(row(stmt));
        return rows;
      });
    },
    get(sql, params) {
      return run(sql, params, (stmt) => (step(stmt) ? row(stmt) : undefined));
    },
    run(sql, params) {
      return run(sql, params, (stmt) => {
        step(stmt);
        return raw.sqlite3_changes(db);
      });
    },
    exec,
    begin: () => execCached('BEGIN IMMEDIATE'),
    commit: () => execCached('COMMIT'),
    rollback: () => execCached('ROLLBACK'),
    pragma(sql) {
      return run(sql, [], (stmt) => (step(stmt) ? column(stmt, 0) : undefined));
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        for (const stmt of statements.values()) raw.sqlite3_finalize(stmt);
        statements.clear();
        if (scratch !== 0) raw.sqlite3_free(scratch);
        const rc = capi.sqlite3_close_v2(db);
        if (rc !== SQLITE_OK) throw engineError(rc, capi.sqlite3_errstr(rc));
      } finally {
        onClose();
      }
    },
  };
}
