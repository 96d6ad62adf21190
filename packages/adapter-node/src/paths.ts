/**
 * Where a database's files are: the names of its sidecar files (log, lock, snapshot), the checks
 * of the path a caller gives, and the wording of file-system errors so that each names the file.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DriverError, InvalidArgumentError, NotADatabaseError, StoreError } from '@go-store/core';

/** The files that make up one database. */
export interface DatabaseFiles {
  /** The SQLite database file (absolute, symbolic links resolved). */
  readonly database: string;
  /** The write log: committed writes not yet in the database file. */
  readonly log: string;
  /** The lock file, present while a store has the database open. */
  readonly lock: string;
  /** Where a new snapshot is written before it replaces the database file. */
  readonly snapshotTemp: string;
  /** SQLite's write-ahead log, left by another program (go-store) using the file in WAL mode. */
  readonly wal: string;
  /** SQLite's shared-memory index of the write-ahead log. */
  readonly shm: string;
}

/** The names of a database's files. */
function databaseFiles(database: string): DatabaseFiles {
  return {
    database,
    log: `${database}.gslog`,
    lock: `${database}.gslock`,
    snapshotTemp: `${database}.gstmp`,
    wal: `${database}-wal`,
    shm: `${database}-shm`,
  };
}

/** Absolute names, with symbolic links resolved so snapshots replace the real file. */
export function resolveFiles(path: string): DatabaseFiles {
  if (typeof path !== 'string' || path === '') {
    const got = typeof path === 'string' ? '""' : path === null ? 'null' : typeof path;
    throw new InvalidArgumentError(`openStore: path must be a non-empty string, got ${got}`);
  }
  if (path.includes('\0')) throw new InvalidArgumentError('openStore: path must not contain a NUL character');
  const absolute = nodePath.resolve(path);
  let database: string;
  try {
    database = fs.realpathSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') {
      throw new NotADatabaseError(
        `openStore: ${absolute}: a loop of symbolic links, not a database file; nothing was created`,
      );
    }
    if (code !== 'ENOENT') throw describeFsError(databaseFiles(absolute), error);
    checkNotDangling(absolute);
    const dir = nodePath.dirname(absolute);
    let realDir: string;
    try {
      realDir = fs.realpathSync(dir);
    } catch (err2) {
      throw new DriverError(
        `openStore: ${absolute}: the directory ${dir} does not exist; create it first (mkdir -p ${dir})`,
        err2,
      );
    }
    database = nodePath.join(realDir, nodePath.basename(absolute));
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(database);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new NotADatabaseError(`openStore: ${database}: is a directory, not a database file`);
  if (stat !== undefined && !stat.isFile())
    throw new NotADatabaseError(`openStore: ${database}: is not a regular file`);
  return databaseFiles(database);
}

/**
 * Refuses a path that is a symbolic link to nothing: creating the database there would mean
 * creating a file somewhere else than the path names, or failing half-way with the link in the
 * way, so nothing is created and the message says where the link points.
 */
function checkNotDangling(absolute: string): void {
  let link: string;
  try {
    link = fs.readlinkSync(absolute);
  } catch {
    return; // Not a symbolic link (or nothing at all): a new database may be created there.
  }
  throw new NotADatabaseError(
    `openStore: ${absolute}: is a symbolic link to ${link}, which does not exist; nothing was created (create the target, or open the target's path)`,
  );
}

/** Words a file-system error as one naming the database and what could not be done. */
export function describeFsError(files: DatabaseFiles, error: unknown): unknown {
  if (error instanceof StoreError) return error;
  const e = error as NodeJS.ErrnoException;
  const dir = nodePath.dirname(files.database);
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DriverError(
        `openStore: ${files.database}: cannot write in ${dir} (${e.code}); the store needs to create its lock, log and snapshot files there`,
        error,
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new DriverError(
        `openStore: ${files.database}: the directory ${dir} does not exist (${e.code}); create it first (mkdir -p ${dir})`,
        error,
      );
    case 'ENOSPC':
    case 'EDQUOT':
      return new DriverError(`openStore: ${files.database}: no space left in ${dir} (${e.code})`, error);
    default:
      return new DriverError(`openStore: ${files.database}: ${e?.message ?? String(error)}`, error);
  }
}
