/**
 * Errors from the SQLite engine, with SQLite's result code and a message that names the real
 * cause where SQLite only knows a generic one (a full storage quota behind `SQLITE_IOERR`).
 */
import { takeLastVfsError } from './sqlite3.js';

/** SQLite primary result codes the adapter reacts to (stable C ABI values). */
export const SQLITE_OK = 0;
export const SQLITE_BUSY = 5;
export const SQLITE_LOCKED = 6;
export const SQLITE_IOERR = 10;
export const SQLITE_CORRUPT = 11;
export const SQLITE_FULL = 13;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_NOTADB = 26;
export const SQLITE_ROW = 100;
export const SQLITE_DONE = 101;

/**
 * An error SQLite returned. The store wraps it in a `DriverError` (code `DRIVER`) whose `cause`
 * is this error, so `resultCode` stays reachable.
 */
export class SqliteError extends Error {
  /** SQLite's extended result code. */
  readonly resultCode: number;

  constructor(message: string, resultCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SqliteError';
    this.resultCode = resultCode;
  }

  /** The primary result code (`SQLITE_IOERR` for `SQLITE_IOERR_WRITE`, …). */
  get primaryCode(): number {
    return this.resultCode & 0xff;
  }
}

/** Whether an exception (from OPFS, or an engine error's cause) means the storage quota ran out. */
export function isQuotaError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'QuotaExceededError' ||
      (error instanceof SqliteError && error.primaryCode === SQLITE_FULL))
  );
}

const QUOTA_MESSAGE =
  "storage is full: the browser's storage quota for this site is exhausted; " +
  'free space (delete data or other sites’ data) or ask for more with navigator.storage.persist()';

/** Builds the error for a failed SQLite call, with the VFS's own exception as its cause. */
export function engineError(resultCode: number, sqliteMessage: string): SqliteError {
  const primary = resultCode & 0xff;
  const vfsError = primary === SQLITE_IOERR || primary === SQLITE_FULL ? takeLastVfsError() : undefined;
  if (primary === SQLITE_FULL || isQuotaError(vfsError)) {
    return new SqliteError(`${QUOTA_MESSAGE} (${sqliteMessage})`, resultCode, { cause: vfsError });
  }
  if (vfsError !== undefined) {
    return new SqliteError(`${sqliteMessage}: ${vfsError.name}: ${vfsError.message}`, resultCode, { cause: vfsError });
  }
  return new SqliteError(sqliteMessage, resultCode);
}

/** The message of the quota error, for failures outside SQLite (creating OPFS files). */
export function quotaMessage(): string {
  return QUOTA_MESSAGE;
}
