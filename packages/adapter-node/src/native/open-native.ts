/**
 * Opens a database file with the runtime's own SQLite: checks that the file is an SQLite
 * database before SQLite may write to it, brings a file the sql.js engine left up to date (its
 * log applied, then removed), refuses a file the sql.js engine has open, and sets the
 * connection up as go-store does (WAL mode), with `synchronous=FULL` and a busy timeout, each
 * read back to check it took effect.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DriverError, InvalidArgumentError, LockedError, NotADatabaseError, StoreError } from '@go-store/core';
import { checkHeader } from '../database-image.js';
import { exists } from '../durable-fs.js';
import { openFileDriver } from '../file-driver.js';
import { lockHolder } from '../lock.js';
import type { NativeConnection, NativeSqlite } from './connection.js';
import { NativeDriver } from './native-driver.js';

/** Options of {@link openNativeDriver}. */
export interface NativeOptions {
  /**
   * `'full'` (default): a write's Promise resolves once it is durable (`synchronous=FULL`: the
   * commit is fsynced). `'relaxed'`: once it is committed (`synchronous=NORMAL`): it survives the
   * process being killed, but a power loss may lose the last commits.
   */
  durability?: 'full' | 'relaxed';
}

/** How long a connection waits for another process's write to finish before reporting it busy. */
const BUSY_TIMEOUT_MS = 5000;
const BUSY_RETRY_MS = 10;
const HEADER_BYTES = 100;

const PROBE_SQL = 'PRAGMA schema_version';
const SET_BUSY_TIMEOUT = `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`;
const READ_BUSY_TIMEOUT = 'PRAGMA busy_timeout';
const SET_WAL = 'PRAGMA journal_mode = WAL';
const SET_SYNCHRONOUS = { full: 'PRAGMA synchronous = FULL', relaxed: 'PRAGMA synchronous = NORMAL' };
const READ_SYNCHRONOUS = 'PRAGMA synchronous';
/** `PRAGMA synchronous` answers with a number. */
const SYNCHRONOUS_LEVEL = { full: 2, relaxed: 1 };

/**
 * Opens `path` (or `':memory:'`) with `sqlite`. Rejects with `NotADatabaseError` (the file is
 * left untouched), `LockedError` when the sql.js engine has the file open, `DriverError` when the
 * directory cannot be written or SQLite refuses a setting.
 */
export async function openNativeDriver(
  sqlite: NativeSqlite,
  path: string,
  options: NativeOptions = {},
): Promise<NativeDriver> {
  const durability = options.durability ?? 'full';
  if (durability !== 'full' && durability !== 'relaxed') {
    throw new InvalidArgumentError(
      `openStore: durability must be 'full' or 'relaxed', not ${JSON.stringify(durability)}`,
    );
  }
  if (path === ':memory:')
    return new NativeDriver(await configure(sqlite.open(path, BUSY_TIMEOUT_MS), path, 'memory', durability), path);
  const database = resolvePath(path);
  checkFile(database);
  refuseIfSqlJsHasIt(database);
  // A log the sql.js engine left (closed uncleanly, or killed): its writes go into the file first.
  if (exists(`${database}.gslog`)) await (await openFileDriver(database)).close();
  let db: NativeConnection;
  try {
    db = await whileBusy(() => sqlite.open(database, BUSY_TIMEOUT_MS));
  } catch (error) {
    throw new DriverError(
      `openStore: ${database}: ${sqlite.name} cannot open it (${describe(error)}); the store needs to create its -wal and -shm files in ${nodePath.dirname(database)}`,
      error,
    );
  }
  try {
    // SQLite reads the header and schema here; nothing is written yet. Another process may be
    // setting the file up (WAL mode takes a moment's exclusive lock): wait for it.
    try {
      await whileBusy(() => db.prepare(PROBE_SQL).get([]));
    } catch (error) {
      if (isBusy(error)) throw new DriverError(`openStore: ${database}: ${describe(error)}`, error);
      throw new NotADatabaseError(
        `openStore: ${database}: not a valid SQLite database (${describe(error)}); the file was not modified`,
        { cause: error },
      );
    }
    // A sql.js store that took the file while this connection was being opened.
    refuseIfSqlJsHasIt(database);
    return new NativeDriver(await configure(db, database, 'file', durability), database);
  } catch (error) {
    db.close();
    throw error;
  }
}

async function configure(
  db: NativeConnection,
  database: string,
  kind: 'memory' | 'file',
  durability: 'full' | 'relaxed',
): Promise<NativeConnection> {
  const check = (setting: string, sql: string, expected: string | number) => {
    const got = db.prepare(sql).get([])?.[0];
    if (got !== expected) {
      throw new DriverError(
        `openStore: ${database}: SQLite did not take ${setting} (it reports ${String(got)}, expected ${expected})`,
        undefined,
      );
    }
  };
  try {
    db.exec(SET_BUSY_TIMEOUT);
    check('the busy timeout', READ_BUSY_TIMEOUT, BUSY_TIMEOUT_MS);
    if (kind === 'file') await whileBusy(() => check('WAL mode', SET_WAL, 'wal'));
    db.exec(SET_SYNCHRONOUS[durability]);
    check(`synchronous=${durability === 'full' ? 'FULL' : 'NORMAL'}`, READ_SYNCHRONOUS, SYNCHRONOUS_LEVEL[durability]);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new DriverError(`openStore: ${database}: ${describe(error)}`, error);
  }
  return db;
}

/** The absolute path, with symbolic links resolved (SQLite finds its -wal beside the real file). */
function resolvePath(path: string): string {
  if (typeof path !== 'string' || path === '') {
    const got = typeof path === 'string' ? '""' : path === null ? 'null' : typeof path;
    throw new InvalidArgumentError(`openStore: path must be a non-empty string, got ${got}`);
  }
  const absolute = nodePath.resolve(path);
  try {
    return fs.realpathSync(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const dir = nodePath.dirname(absolute);
  try {
    return nodePath.join(fs.realpathSync(dir), nodePath.basename(absolute));
  } catch (error) {
    throw new DriverError(`openStore: ${absolute}: the directory ${dir} does not exist`, error);
  }
}

/** A directory, a device or a file without SQLite's header is refused before SQLite opens it. */
function checkFile(database: string): void {
  let fd: number;
  try {
    fd = fs.openSync(database, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw new NotADatabaseError(`openStore: ${database}: is a directory, not a database file`);
    throw new DriverError(`openStore: ${database}: ${describe(error)}`, error);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new NotADatabaseError(`openStore: ${database}: is not a regular file`);
    const head = new Uint8Array(HEADER_BYTES);
    const read = fs.readSync(fd, head, 0, HEADER_BYTES, 0);
    if (read > 0) checkHeader(database, head.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
}

function refuseIfSqlJsHasIt(database: string): void {
  const holder = lockHolder(database);
  if (holder === undefined) return;
  throw new LockedError(
    `openStore: ${database}: the sql.js engine has it open in ${holder} (lock file ${database}.gslock); close that store first, or open the file with the same engine`,
  );
}

/**
 * Runs `step` again while SQLite answers "database is locked" without waiting: it does so,
 * rather than call its busy handler, when waiting could deadlock, as when several connections
 * switch a new file to WAL mode at once. Gives up after the busy timeout.
 */
async function whileBusy<T>(step: () => T): Promise<T> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    }
  }
}

function isBusy(error: unknown): boolean {
  return (
    error instanceof Error &&
    /database is locked|SQLITE_BUSY/.test(`${error.message} ${String((error as { code?: unknown }).code)}`)
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
