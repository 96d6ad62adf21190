/**
 * The runtime's own SQLite behind one small interface: `node:sqlite` (Node 22.13 and later,
 * Deno 2) or `bun:sqlite` (Bun). Each is loaded only when asked for, so a runtime without one
 * never imports it; none of them has type declarations here, hence the structural types.
 */

/** A prepared statement; rows come back as arrays of column values, in select order. */
export interface NativeStatement {
  all(params: readonly NativeValue[]): NativeValue[][];
  get(params: readonly NativeValue[]): NativeValue[] | undefined;
  /** Runs it; the number of rows it changed. */
  run(params: readonly NativeValue[]): number;
}

/** A value bound to or read from SQLite. */
export type NativeValue = string | number | bigint | Uint8Array | null;

/** One connection to a database file (or `':memory:'`). */
export interface NativeConnection {
  prepare(sql: string): NativeStatement;
  /** Runs parameterless SQL (one or more statements). */
  exec(sql: string): void;
  /** Whether a transaction is open (SQLite ends one by itself after some errors: a full disk, I/O). */
  readonly inTransaction: boolean;
  close(): void;
}

/** Opens connections with the runtime's SQLite. */
export interface NativeSqlite {
  /** `node:sqlite` or `bun:sqlite`, for messages. */
  readonly name: string;
  /** Opens a connection that waits up to `busyTimeoutMs` for other connections' locks. */
  open(path: string, busyTimeoutMs: number): NativeConnection;
}

interface NodeStatementSync {
  setReturnArrays(enabled: boolean): void;
  columns(): unknown[];
  all(...params: NativeValue[]): NativeValue[][];
  get(...params: NativeValue[]): NativeValue[] | undefined;
  run(...params: NativeValue[]): { changes: number | bigint };
}

interface NodeDatabaseSync {
  prepare(sql: string): NodeStatementSync;
  exec(sql: string): void;
  readonly isTransaction: boolean;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (path: string, options: { timeout: number }) => NodeDatabaseSync;
}

interface BunStatement {
  values(...params: NativeValue[]): NativeValue[][];
  run(...params: NativeValue[]): { changes: number };
}

interface BunDatabase {
  prepare(sql: string): BunStatement;
  exec(sql: string): void;
  readonly inTransaction: boolean;
  close(): void;
}

interface BunSqliteModule {
  Database: new (path: string) => BunDatabase;
}

let loading: Promise<NativeSqlite | undefined> | undefined;

/**
 * The runtime's SQLite, or `undefined` when it has none (Node before 22.13, or a runtime that
 * refuses the import). Loaded once per process.
 */
export function loadNativeSqlite(): Promise<NativeSqlite | undefined> {
  loading ??= load();
  return loading;
}

async function load(): Promise<NativeSqlite | undefined> {
  const isBun = (process.versions as { bun?: string }).bun !== undefined;
  // A specifier in a variable keeps bundlers and the type checker from resolving it.
  const specifier = isBun ? 'bun:sqlite' : 'node:sqlite';
  let module: unknown;
  try {
    module = await import(specifier);
  } catch {
    return undefined;
  }
  return isBun ? bunSqlite(module as BunSqliteModule) : nodeSqlite(module as NodeSqliteModule);
}

function nodeSqlite(module: NodeSqliteModule): NativeSqlite {
  return {
    name: 'node:sqlite',
    open(path, busyTimeoutMs) {
      // The timeout is given at once: the constructor itself may need a lock (Node 24).
      const db = new module.DatabaseSync(path, { timeout: busyTimeoutMs });
      const textIsCutAtNul = cutsTextAtNul(db);
      const prepare = (sql: string): NodeStatementSync => {
        const statement = db.prepare(sql);
        statement.setReturnArrays(true);
        return statement;
      };
      return {
        prepare(sql) {
          if (textIsCutAtNul && ROWS_SQL.test(sql)) return nulSafeStatement(prepare, sql);
          const statement = prepare(sql);
          const { all, get, run } = statement;
          return {
            all: (params) => callWith(statement, all, params),
            get: (params) => callWith(statement, get, params),
            run: (params) => Number(callWith(statement, run, params).changes),
          };
        },
        exec: (sql) => db.exec(sql),
        get inTransaction() {
          return db.isTransaction;
        },
        close: () => db.close(),
      };
    },
  };
}

/**
 * Calls a statement's method with `params` as its arguments. The store's statements take four
 * parameters at most; calling with them written out spares V8's spread call into native code,
 * a measurable share of a point read.
 */
function callWith<S, R>(
  statement: S,
  method: (this: S, ...params: NativeValue[]) => R,
  params: readonly NativeValue[],
): R {
  switch (params.length) {
    case 0:
      return method.call(statement);
    case 1:
      return method.call(statement, params[0] as NativeValue);
    case 2:
      return method.call(statement, params[0] as NativeValue, params[1] as NativeValue);
    case 3:
      return method.call(statement, params[0] as NativeValue, params[1] as NativeValue, params[2] as NativeValue);
    case 4:
      return method.call(
        statement,
        params[0] as NativeValue,
        params[1] as NativeValue,
        params[2] as NativeValue,
        params[3] as NativeValue,
      );
    default:
      return method.apply(statement, params as NativeValue[]);
  }
}

/** Statements that return rows. */
const ROWS_SQL = /^\s*(?:select|values|with)\b/i;
const NUL_PROBE = 'SELECT ?';
const NUL_TEXT = 'a\u0000b';

/**
 * Node 22's and Deno's `node:sqlite` end a TEXT value read back at its first NUL character
 * (binding one is fine). Such a connection reads text that holds one through a BLOB instead.
 */
function cutsTextAtNul(db: NodeDatabaseSync): boolean {
  const probe = db.prepare(NUL_PROBE);
  probe.setReturnArrays(true);
  return probe.get(NUL_TEXT)?.[0] !== NUL_TEXT;
}

// ignoreBOM: a value that starts with U+FEFF keeps it.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The query, its text columns that hold a NUL character read as their UTF-8 bytes (which keep
 * it) and decoded here: `WITH q(c0, c1, …) AS (query) SELECT <ci as a blob if text with a NUL>,
 * <whether it is>, … FROM q`. Text without a NUL, nearly all of it, comes back as text as usual.
 * The query runs unchanged inside the CTE, so its parameters and row order are its own.
 */
function nulSafeStatement(prepare: (sql: string) => NodeStatementSync, sql: string): NativeStatement {
  const width = prepare(sql).columns().length;
  const names = Array.from({ length: width }, (_, i) => `c${i}`);
  const hasNul = (c: string): string => `(typeof(${c}) = 'text' AND instr(CAST(${c} AS BLOB), x'00') > 0)`;
  const select = names.map((c) => `CASE WHEN ${hasNul(c)} THEN CAST(${c} AS BLOB) ELSE ${c} END, ${hasNul(c)}`);
  const statement = prepare(
    `WITH go_store_rows(${names.join(', ')}) AS (${sql}) SELECT ${select.join(', ')} FROM go_store_rows`,
  );
  const decode = (row: NativeValue[]): NativeValue[] => {
    const out: NativeValue[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const value = row[2 * i];
      out[i] = row[2 * i + 1] === 1 && value instanceof Uint8Array ? utf8.decode(value) : value;
    }
    return out;
  };
  return {
    all: (params) => statement.all(...params).map(decode),
    get: (params) => {
      const row = statement.get(...params);
      return row === undefined ? undefined : decode(row);
    },
    run: (params) => Number(statement.run(...params).changes),
  };
}

function bunSqlite(module: BunSqliteModule): NativeSqlite {
  return {
    name: 'bun:sqlite',
    open(path, busyTimeoutMs) {
      const db = new module.Database(path);
      db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      return {
        prepare(sql) {
          const statement = db.prepare(sql);
          return {
            all: (params) => statement.values(...params),
            get: (params) => statement.values(...params)[0],
            run: (params) => statement.run(...params).changes,
          };
        },
        exec: (sql) => db.exec(sql),
        get inTransaction() {
          return db.inTransaction;
        },
        close: () => db.close(),
      };
    },
  };
}
