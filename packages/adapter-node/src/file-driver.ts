/**
 * A durable, file-backed {@link SqlDriver} on sql.js: the database lives in memory (sql.js)
 * and every committed write is appended to a log beside the file before it is acknowledged.
 *
 * Files, for a database at `app.db` (see `docs/persistence.md`):
 * - `app.db` — a standard SQLite database (rollback-journal mode), replaced only by atomic
 *   rename, so it is valid at every instant. It holds everything up to the last compaction.
 * - `app.db.gslog` — the write log: the writes since then, one checksummed record per
 *   committed write or transaction. Replayed on open. Removed by a clean `close()`.
 * - `app.db.gslock` — the lock, holding the owner's pid, while a store has the file open.
 * - `app.db.gstmp`, `app.db.gslog.tmp` — briefly, a new snapshot or log being written.
 * - `app.db.gslog.damaged` — only after an open found damaged (not merely cut-short) bytes at
 *   the end of the log: those bytes, kept for inspection; never read back.
 *
 * Compaction writes a new snapshot of the database and trims the log. It starts between
 * transactions once the log outgrows `compactRatio` × the database's size (and at least
 * `compactMinBytes`), so its cost is spread over as many bytes of writes as it copies, and runs
 * in the background: a worker thread rebuilds the database from the last snapshot and the log,
 * and writes and syncs it, so the event loop never waits for a copy of the whole database;
 * `close()` compacts a last time.
 *
 * The modules: `options.ts` (the options), `paths.ts` (the files and path checks), `recovery.ts`
 * (open: replaying what a previous run left), `persistent-driver.ts` (writes, logging,
 * compaction), `log.ts`/`log-format.ts` (the log), `snapshot.ts` (replacing the database file),
 * `log-snapshot.ts`/`snapshot-thread.ts`/`snapshot-worker.ts` (snapshots in a worker thread).
 */
import { LockedError } from '@go-store/core';
import { loadSqlJs } from '@go-store/driver-sqljs';
import { acquireLock, type FileLock } from './lock.js';
import { type FileDriverOptions, resolveOptions } from './options.js';
import { describeFsError, resolveFiles } from './paths.js';
import type { FileDriver } from './persistent-driver.js';
import { openLocked } from './recovery.js';
import { sqliteUsers } from './sqlite-users.js';

export { checkOptionsObject, type FileDriverOptions } from './options.js';
export type { DatabaseFiles } from './paths.js';
export type { FileDriver } from './persistent-driver.js';

/**
 * Opens (or creates) the SQLite database file at `path` for exclusive, durable use.
 *
 * Rejects with `LockedError` when another store (in this process or a live one) has it open,
 * `NotADatabaseError` when the file (or its `-wal`) is not a valid SQLite database, or another
 * SQLite program left a hot `-journal` beside it — in which case no file is modified —
 * `InvalidArgumentError` for bad options, and `DriverError` when the directory cannot be
 * written. Every message names the file.
 *
 * @example
 * ```ts
 * const driver = await openFileDriver('data/app.db');
 * const store = await createStore(driver, {});
 * ```
 */
export async function openFileDriver(path: string, options: FileDriverOptions = {}): Promise<FileDriver> {
  const resolved = resolveOptions(options);
  const files = resolveFiles(path);
  let lock: FileLock;
  try {
    lock = acquireLock(files.database);
  } catch (error) {
    throw describeFsError(files, error);
  }
  try {
    refuseIfSqliteHasIt(files.database);
    const SQL = await loadSqlJs();
    return await openLocked(SQL, files, lock, resolved);
  } catch (error) {
    lock.release();
    throw describeFsError(files, error);
  }
}

/**
 * The sql.js engine replaces the database file as a whole, which would undo the writes of an
 * SQLite connection (the native engine, `sqlite3`, go-store) that has it open: refuse, where the
 * platform lets that be seen (see sqlite-users.ts).
 */
function refuseIfSqliteHasIt(database: string): void {
  const users = sqliteUsers(database);
  if (users === undefined || users.length === 0) return;
  const who = users.map((pid) => (pid === process.pid ? 'this process' : `process ${pid}`)).join(', ');
  throw new LockedError(
    `openStore: ${database}: SQLite has it open in ${who} (the native engine, sqlite3 or go-store); the sql.js engine cannot share a file: open it with engine 'native', or close the other connection first`,
  );
}
