/**
 * Opens a database in the current context (a dedicated worker for OPFS; anywhere for
 * `:memory:`): checks that OPFS is there, claims the database for this context, attaches the
 * VFS and turns every way opening can fail into a clear error.
 *
 * One context owns a database at a time: the leader of the contexts sharing it (see
 * membership.ts), which holds the database's Web Lock before it calls this.
 */
import { DriverError, InvalidArgumentError, LockedError, NotADatabaseError, StoreError } from '@go-store/core';
import type { SAHPoolUtil } from '@sqlite.org/sqlite-wasm';
import {
  engineError,
  isQuotaError,
  quotaMessage,
  SQLITE_BUSY,
  SQLITE_CANTOPEN,
  SQLITE_CORRUPT,
  SQLITE_LOCKED,
  SQLITE_NOTADB,
  SQLITE_OK,
  SqliteError,
} from './engine-error.js';
import { createSqliteWasmDriver, type SqliteWasmDriver } from './sqlite-wasm-driver.js';
import { loadSqlite3, type Sqlite3 } from './sqlite3.js';

/**
 * Where a persistent database lives in OPFS:
 * - `'opfs-sahpool'` (default): a pool of files opened once with synchronous access handles;
 *   needs no special HTTP headers and is the fastest.
 * - `'opfs'`: one OPFS file per database, reached through a helper worker; needs a cross-origin
 *   isolated page (COOP/COEP headers).
 */
export type BrowserVfs = 'opfs-sahpool' | 'opfs';

/** The VFS names accepted by `openStore`. */
export const VFS_NAMES: readonly BrowserVfs[] = ['opfs-sahpool', 'opfs'];

// Database names become OPFS directory and file names, so they are kept to a portable set.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SQLITE_OPEN_READWRITE = 0x02;
const SQLITE_OPEN_CREATE = 0x04;
const SQLITE_OPEN_EXRESCODE = 0x0200_0000;

/** Databases open in this context, so a second open here is refused with the right reason. */
const openHere = new Set<string>();

/** Validates a database name; `':memory:'` is always valid. */
export function checkDatabaseName(name: unknown): asserts name is string {
  if (typeof name !== 'string') {
    throw new InvalidArgumentError(
      `openStore: the database name must be a string, got ${name === null ? 'null' : typeof name}`,
    );
  }
  if (name !== ':memory:' && !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `openStore: ${JSON.stringify(name)}: a database name is ':memory:' or 1–128 letters, digits, '.', '_' ` +
        "and '-', starting with a letter or digit",
    );
  }
}

/** Validates a VFS option. */
export function checkVfs(vfs: unknown): asserts vfs is BrowserVfs {
  if (!VFS_NAMES.includes(vfs as BrowserVfs)) {
    throw new InvalidArgumentError(
      `openStore: vfs must be 'opfs-sahpool' or 'opfs', got ${JSON.stringify(vfs) ?? String(vfs)}`,
    );
  }
}

/** Whether this context has OPFS with synchronous access handles (dedicated workers only). */
export function hasOpfsSyncAccess(): boolean {
  const handle = (globalThis as { FileSystemFileHandle?: { prototype: object } }).FileSystemFileHandle;
  return hasOpfs() && handle !== undefined && 'createSyncAccessHandle' in handle.prototype;
}

/** Whether this context can reach OPFS at all (the main thread can, but only asynchronously). */
export function hasOpfs(): boolean {
  return typeof globalThis.navigator?.storage?.getDirectory === 'function';
}

/**
 * The name of the `cause` of every "no OPFS" error: the tag that marks such an error, in this
 * context or after it crossed from the database worker (causes keep their name, see protocol.ts).
 */
const NO_OPFS = 'NoOpfsError';

/** What this context lacks for a database in OPFS (for the cause of the "no OPFS" error). */
function missingOpfs(): string {
  if (!hasOpfs()) return 'navigator.storage.getDirectory is missing';
  return 'FileSystemFileHandle.prototype.createSyncAccessHandle is missing (synchronous access exists only in dedicated workers)';
}

/**
 * The error for a browser (or context) without OPFS; its `cause` is tagged (see
 * {@link isNoOpfsError}) and says what is missing (`missing` overrides that, e.g. "Worker is missing").
 */
export function noOpfsError(name: string, missing = missingOpfs()): DriverError {
  return new DriverError(
    `openStore: ${name}: this browser offers no Origin Private File System (OPFS) with synchronous ` +
      "access in a dedicated worker, so nothing can be persisted here; open ':memory:', or pass " +
      '{ fallbackToMemory: true } for a store that lasts only as long as the page',
    Object.assign(new Error(missing), { name: NO_OPFS }),
  );
}

/** Whether `error` is the "no OPFS" error, made here or rebuilt from the database worker's. */
export function isNoOpfsError(error: unknown): error is DriverError {
  return error instanceof DriverError && (error.cause as { name?: unknown } | undefined)?.name === NO_OPFS;
}

/**
 * The message of the error for a database whose files another context still holds (a leader
 * that has just gone away: the new leader waits and tries again).
 */
export function ownedByAnotherTab(name: string, vfs: BrowserVfs): string {
  return `openStore: ${name}: the database (${vfs}) is held by another tab or worker of this site`;
}

/**
 * Opens `name` on `vfs` in this context and returns a synchronous driver; `':memory:'` opens an
 * ephemeral database (the VFS is then ignored).
 */
export async function openDatabase(name: string, vfs: BrowserVfs): Promise<SqliteWasmDriver> {
  checkDatabaseName(name);
  if (name === ':memory:') {
    const sqlite3 = await loadSqlite3();
    return { ...connect(sqlite3, name, ':memory:', undefined, vfs, () => undefined), inMemory: true };
  }
  checkVfs(vfs);
  const key = `${vfs}:${name}`;
  if (openHere.has(key)) {
    throw new LockedError(
      `openStore: ${name}: the database (${vfs}) is already open in this page or worker; close that store first`,
    );
  }
  if (!hasOpfsSyncAccess()) throw noOpfsError(name);
  openHere.add(key);
  const releases: Array<() => void> = [() => openHere.delete(key)];
  // Runs each release once, last first: a failed connect calls this, then the catch below does.
  const releaseAll = (): void => {
    for (const release of releases.splice(0).reverse()) release();
  };
  try {
    const sqlite3 = await loadSqlite3();
    if (vfs === 'opfs-sahpool') {
      const pool = await attachPool(sqlite3, name);
      releases.push(() => {
        try {
          pool.pauseVfs();
        } catch {
          // Paused already, or a file is still open: the handles go with the context.
        }
      });
      return connect(sqlite3, name, `/${name}`, pool.vfsName, vfs, releaseAll);
    }
    if (!sqlite3.capi.sqlite3_vfs_find('opfs')) throw opfsUnavailable(name);
    return connect(sqlite3, name, `/go-store/${name}`, 'opfs', vfs, releaseAll);
  } catch (error) {
    releaseAll();
    throw error;
  }
}

/** Installs (or resumes) this database's own SAH pool: one OPFS directory per database. */
async function attachPool(sqlite3: Sqlite3, name: string): Promise<SAHPoolUtil> {
  try {
    const pool = await sqlite3.installOpfsSAHPoolVfs({
      name: `go-store-sahpool-${name}`,
      directory: `.go-store/${name}`,
      // On failure (another tab holds the handles) keep the files: the default removes them.
      preserveOnInitFailure: true,
      // Let a later attempt retry instead of replaying the cached failure.
      forceReinitIfPreviouslyFailed: true,
      // The database and its rollback journal, with room to spare (temporary files stay in memory).
      initialCapacity: 4,
      // Errors reach us through the library's error logger (see sqlite3.ts), warnings are noise.
      verbosity: 1,
    } as Parameters<Sqlite3['installOpfsSAHPoolVfs']>[0]);
    if (pool.isPaused()) await pool.unpauseVfs();
    return pool;
  } catch (error) {
    throw opfsFailure(name, 'opfs-sahpool', error);
  }
}

function opfsUnavailable(name: string): DriverError {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    return new DriverError(
      `openStore: ${name}: the 'opfs' VFS needs a cross-origin isolated page: serve it with the headers ` +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, or use the ' +
        "default 'opfs-sahpool' VFS, which needs neither",
      undefined,
    );
  }
  return new DriverError(
    `openStore: ${name}: the 'opfs' VFS could not start: its helper worker, sqlite3-opfs-async-proxy.js, ` +
      'must be served beside sqlite-wasm (see the console for the reason)',
    undefined,
  );
}

/** Maps an exception from OPFS itself (a DOMException) to the store's error classes. */
function opfsFailure(name: string, vfs: BrowserVfs, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const errorName = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  // NoModificationAllowedError: another context holds a synchronous access handle on the file.
  if (errorName === 'NoModificationAllowedError')
    return new LockedError(ownedByAnotherTab(name, vfs), { cause: error });
  if (isQuotaError(error)) return new DriverError(`openStore: ${name}: ${quotaMessage()}`, error);
  if (errorName === 'SecurityError') {
    return new DriverError(
      `openStore: ${name}: this page may not use OPFS (${message}); private browsing can forbid it`,
      error,
    );
  }
  return new DriverError(`openStore: ${name}: could not open the database in OPFS: ${message}`, error);
}

/** Opens the connection, takes its exclusive lock and checks the file is a database. */
function connect(
  sqlite3: Sqlite3,
  name: string,
  filename: string,
  vfsName: string | undefined,
  vfs: BrowserVfs,
  onClose: () => void,
): SqliteWasmDriver {
  const { capi, wasm } = sqlite3;
  let db = 0;
  let driver: SqliteWasmDriver | undefined;
  try {
    const stack = wasm.pstack.pointer;
    try {
      const out = wasm.pstack.allocPtr() as number;
      const flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_EXRESCODE;
      const rc = capi.sqlite3_open_v2(filename, out, flags, vfsName ?? 0);
      db = wasm.peekPtr(out) as number;
      if (rc !== SQLITE_OK) throw engineError(rc, db ? capi.sqlite3_errmsg(db) : capi.sqlite3_errstr(rc));
    } finally {
      wasm.pstack.restore(stack);
    }
    driver = createSqliteWasmDriver(sqlite3, db, onClose);
    // One connection per database, so SQLite may keep its file lock between statements:
    // fewer VFS calls per statement, and nobody else can slip in.
    driver.pragma('PRAGMA locking_mode=EXCLUSIVE');
    // Temporary tables and statement journals in memory: no OPFS files beyond the journal.
    driver.pragma('PRAGMA temp_store=MEMORY');
    // Truncating the rollback journal after each commit, rather than deleting it, halves the
    // cost of a durable write on OPFS (measured: 1.2 ms → 0.74 ms per set on opfs-sahpool) and
    // keeps the file an ordinary rollback-journal database.
    if (filename !== ':memory:') driver.pragma('PRAGMA journal_mode=TRUNCATE');
    // Reading the schema takes that lock and checks the header: a foreign or corrupt file fails here.
    driver.pragma('PRAGMA schema_version');
    return driver;
  } catch (error) {
    if (driver !== undefined) {
      try {
        driver.close();
      } catch {
        // The open failure is the error to report.
      }
    } else {
      if (db !== 0) capi.sqlite3_close_v2(db);
      onClose();
    }
    throw openFailure(name, vfs, error);
  }
}

function openFailure(name: string, vfs: BrowserVfs, error: unknown): StoreError {
  if (!(error instanceof SqliteError)) return opfsFailure(name, vfs, error);
  const primary = error.primaryCode;
  if (primary === SQLITE_NOTADB || primary === SQLITE_CORRUPT) {
    return new NotADatabaseError(`openStore: ${name}: not an SQLite database, or corrupt (${error.message})`, {
      cause: error,
    });
  }
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED)
    return new LockedError(ownedByAnotherTab(name, vfs), { cause: error });
  if (error.cause !== undefined && (error.cause as { name?: unknown }).name === 'NoModificationAllowedError') {
    return new LockedError(ownedByAnotherTab(name, vfs), { cause: error });
  }
  if (primary === SQLITE_CANTOPEN) {
    return new DriverError(`openStore: ${name}: cannot open the database file (${error.message})`, error);
  }
  return new DriverError(`openStore: ${name}: ${error.message}`, error);
}
