/**
 * Reads a database as SQLite would see it: the main file, plus the committed frames of its
 * `-wal` file, checked to be an SQLite database before anything else happens to it. A hot
 * rollback journal beside it (left by another SQLite program) is refused: only SQLite can roll
 * it back.
 */
import * as fs from 'node:fs';
import { NotADatabaseError } from '@go-store/core';
import { readIfExists } from './durable-fs.js';
import { databasePageSize, foldWal, WalFormatError } from './wal-import.js';

const MAGIC = new TextEncoder().encode('SQLite format 3\0');
/** The first 8 bytes of a rollback journal whose transaction may have written the database. */
const JOURNAL_MAGIC = new Uint8Array([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

/** The database's bytes as read. */
interface DatabaseImage {
  /** The main file's bytes as they are on disk (empty for a missing or 0-byte file). */
  readonly main: Uint8Array;
  /** Whether the main file exists. */
  readonly mainExists: boolean;
  /** The image to load: `main` with the `-wal` file's committed frames applied. */
  readonly image: Uint8Array;
  /** Committed `-wal` frames folded into `image`. */
  readonly walFrames: number;
  /** Frames of an unfinished transaction at the end of the `-wal` file, ignored. */
  readonly walIgnoredFrames: number;
}

/**
 * Throws {@link NotADatabaseError} naming `path` unless `bytes` are empty (a new database) or
 * start with a valid SQLite header.
 */
export function checkHeader(path: string, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  if (bytes.length < 100 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NotADatabaseError(`openStore: ${path}: not an SQLite database (bad header); the file was not modified`);
  }
  if (databasePageSize(bytes) === undefined) {
    throw new NotADatabaseError(
      `openStore: ${path}: corrupt SQLite database (invalid page size); the file was not modified`,
    );
  }
}

/**
 * Throws {@link NotADatabaseError} naming `path` and its journal when `path-journal` is hot: a
 * SQLite program died (or is) in the middle of a transaction, and the main file may hold pages
 * of that unfinished transaction, which only replaying the journal undoes. Left there, the
 * journal would also be replayed by the next SQLite to open the file, over our snapshot. SQLite
 * writes the journal's magic only once it is about to change the main file: an empty journal,
 * or one whose header is zeroed (`journal_mode` TRUNCATE or PERSIST after a commit), is not hot.
 */
export function checkNoHotJournal(path: string): void {
  const journal = `${path}-journal`;
  let fd: number;
  try {
    fd = fs.openSync(journal, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const head = new Uint8Array(JOURNAL_MAGIC.length);
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (JOURNAL_MAGIC.every((b, i) => head[i] === b)) {
    throw new NotADatabaseError(
      `openStore: ${path}: another SQLite program left a hot rollback journal, ${journal} (it stopped in the middle of a transaction, or is writing the file now); ` +
        `recover it first by opening the database once with sqlite3 (or any SQLite), modifying nothing, e.g. sqlite3 ${JSON.stringify(path)} 'PRAGMA quick_check'; no file was modified`,
    );
  }
}

/**
 * Reads the database at `path` (and `path-wal`). A 0-byte main file is an empty database and,
 * as SQLite does, any `-wal` beside it is then ignored.
 */
export function readDatabaseImage(path: string, main: Uint8Array | undefined): DatabaseImage {
  const bytes = main ?? new Uint8Array(0);
  checkHeader(path, bytes);
  if (bytes.length === 0)
    return { main: bytes, mainExists: main !== undefined, image: bytes, walFrames: 0, walIgnoredFrames: 0 };
  const walPath = `${path}-wal`;
  const wal = readIfExists(walPath);
  if (wal === undefined || wal.length === 0)
    return { main: bytes, mainExists: true, image: bytes, walFrames: 0, walIgnoredFrames: 0 };
  try {
    const fold = foldWal(bytes, wal);
    if (fold === undefined) return { main: bytes, mainExists: true, image: bytes, walFrames: 0, walIgnoredFrames: 0 };
    checkHeader(walPath, fold.image);
    return {
      main: bytes,
      mainExists: true,
      image: fold.image,
      walFrames: fold.committedFrames,
      walIgnoredFrames: fold.uncommittedFrames,
    };
  } catch (error) {
    if (error instanceof WalFormatError) {
      throw new NotADatabaseError(
        `openStore: ${walPath}: cannot apply this write-ahead log: ${error.message}; no file was modified`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
