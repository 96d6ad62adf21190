/**
 * The file engine's own errors. Both are core `DriverError`s (code `DRIVER`), so code that
 * handles driver failures handles them too; each adds what the caller needs to act on it.
 */
import { DriverError } from '@go-store/core';

/**
 * A write whose durability failed (the log could not be written or fsynced: a full disk, an I/O
 * error). Whether it took effect is unknown, as with a database whose commit fails mid-way: it
 * may be found after the store is reopened, or not. Check, and redo it if needed.
 */
export class WriteOutcomeUnknownError extends DriverError {
  /** Always `'unknown'`: the write may or may not be in the database once it is reopened. */
  readonly outcome = 'unknown' as const;
}

/**
 * A write refused, before it took effect, because the database would grow past the largest the
 * sql.js engine can reopen (or `maxDatabaseBytes`). Nothing was written. The native engine,
 * `openStore(path, { engine: 'native' })`, has no such limit.
 */
export class DatabaseTooLargeError extends DriverError {
  /** The limit, in bytes. */
  readonly limit: number;

  constructor(message: string, limit: number) {
    super(message, undefined);
    this.limit = limit;
  }
}
