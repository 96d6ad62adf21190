/**
 * The options of a database file (durability, compaction, error reporting): their defaults, and
 * their validation before anything is opened.
 */
import { InvalidArgumentError } from '@go-store/core';
import { MAX_DATABASE_BYTES, NATIVE_HINT } from './limits.js';
import type { Durability } from './log.js';

/** Options of {@link openFileDriver} (and of the Node adapter's `openStore` for a file). */
export interface FileDriverOptions {
  /**
   * When a write's Promise resolves:
   * - `'full'` (default): its log record has been written and fsynced, so the write survives
   *   the process being killed and the machine losing power. Concurrent writers share fsyncs.
   * - `'relaxed'`: its log record has been handed to the operating system, so the write
   *   survives the process being killed (`kill -9`, a crash), but a power loss or kernel crash
   *   may lose the writes of the last `relaxedIntervalMs`. No fsync waits; much faster.
   */
  durability?: 'full' | 'relaxed';
  /**
   * In `'relaxed'` mode, the longest a written record waits for its fsync, in milliseconds:
   * the window of writes a power loss may lose. Default 100.
   */
  relaxedIntervalMs?: number;
  /**
   * The log is never compacted while it holds fewer bytes than this. Default 4 MiB. Larger
   * values mean fewer snapshot rewrites of a small database, and a longer replay after a crash.
   */
  compactMinBytes?: number;
  /**
   * Compaction starts when the log reaches this multiple of the database's size (and at least
   * `compactMinBytes`). Default 1: a compaction copies the database once per database-sized
   * amount of writes, so its cost per write does not grow with the database.
   */
  compactRatio?: number;
  /**
   * Called with a `DriverError` when a background compaction fails (a full disk, say). Nothing
   * is lost: the log still holds every write, and compaction is tried again after another
   * threshold's worth of writes. Default `console.error`. (`openStore` passes the store's own
   * `onError` here.)
   */
  onError?: (error: unknown) => void;
  /**
   * What `openStore` does with a log it cannot replay whole: one damaged in the middle (a bad
   * record with intact records after it), one whose header is damaged, or one that belongs to
   * another database (or another copy of this one).
   * - `'refuse'` (default): reject with `NotADatabaseError` naming the log and where it is
   *   damaged, changing nothing.
   * - `'discard'`: accept the loss. The records before the damage are replayed (none, for a log
   *   that is not this database's), the rest are lost, the whole log is kept as
   *   `<database>.gslog.damaged`, and `onError` is told what was discarded.
   */
  damagedLog?: 'refuse' | 'discard';
  /**
   * The largest the database may grow, in bytes: a write that could take it further is refused
   * with `DatabaseTooLargeError`, before it takes effect. Default, and most: the largest the
   * sql.js engine can reopen, a little under 2 GiB (`MAX_DATABASE_BYTES`). A lower value bounds
   * the memory the store uses (about the database's size, twice during a compaction).
   */
  maxDatabaseBytes?: number;
  /**
   * Whether background compactions take their snapshot in a worker thread. Default `true`: the
   * thread rebuilds the database from the last snapshot and the log, and writes it, so the
   * store's event loop never waits for a copy of the whole database; it holds a second copy of
   * the database in memory while it runs. `false` takes the snapshot on the store's own thread
   * (less memory, but a pause of about the time it takes to copy the database). Where the
   * runtime cannot run the worker, the store's own thread is used anyway.
   */
  snapshotWorker?: boolean;
}

/** The value of each option a caller leaves out. */
export const DEFAULTS = {
  durability: 'full' as Durability,
  relaxedIntervalMs: 100,
  compactMinBytes: 4 * 1024 * 1024,
  compactRatio: 1,
  damagedLog: 'refuse' as 'refuse' | 'discard',
  maxDatabaseBytes: MAX_DATABASE_BYTES,
  snapshotWorker: true,
  onError: (error: unknown): void => console.error(error),
};

/** Every option, with its default filled in. */
export type ResolvedOptions = typeof DEFAULTS;

/** Throws `InvalidArgumentError` unless `options` is an object (checked before it is read). */
export function checkOptionsObject(options: unknown): asserts options is object {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError('openStore: options must be an object');
}

/** Checks `options` and fills in the defaults; throws `InvalidArgumentError` naming a bad one. */
export function resolveOptions(options: FileDriverOptions): ResolvedOptions {
  checkOptionsObject(options);
  const out = { ...DEFAULTS };
  if (options.durability !== undefined) {
    if (options.durability !== 'full' && options.durability !== 'relaxed') {
      throw new InvalidArgumentError(
        `openStore: durability must be 'full' or 'relaxed', not ${JSON.stringify(options.durability)}`,
      );
    }
    out.durability = options.durability;
  }
  out.relaxedIntervalMs = positive('relaxedIntervalMs', options.relaxedIntervalMs, DEFAULTS.relaxedIntervalMs);
  out.compactMinBytes = positive('compactMinBytes', options.compactMinBytes, DEFAULTS.compactMinBytes);
  out.compactRatio = positive('compactRatio', options.compactRatio, DEFAULTS.compactRatio);
  out.maxDatabaseBytes = positive('maxDatabaseBytes', options.maxDatabaseBytes, MAX_DATABASE_BYTES);
  if (out.maxDatabaseBytes > MAX_DATABASE_BYTES) {
    throw new InvalidArgumentError(
      `openStore: maxDatabaseBytes must be at most ${MAX_DATABASE_BYTES}, the largest database the sql.js engine can reopen; for larger ones, ${NATIVE_HINT}`,
    );
  }
  if (options.damagedLog !== undefined) {
    if (options.damagedLog !== 'refuse' && options.damagedLog !== 'discard') {
      throw new InvalidArgumentError(
        `openStore: damagedLog must be 'refuse' or 'discard', not ${JSON.stringify(options.damagedLog)}`,
      );
    }
    out.damagedLog = options.damagedLog;
  }
  if (options.snapshotWorker !== undefined) {
    if (typeof options.snapshotWorker !== 'boolean')
      throw new InvalidArgumentError(
        `openStore: snapshotWorker must be a boolean, not ${String(options.snapshotWorker)}`,
      );
    out.snapshotWorker = options.snapshotWorker;
  }
  if (options.onError !== undefined) {
    if (typeof options.onError !== 'function') throw new InvalidArgumentError('openStore: onError must be a function');
    out.onError = options.onError;
  }
  return out;
}

function positive(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`openStore: ${name} must be a positive finite number, not ${String(value)}`);
  }
  return value;
}
