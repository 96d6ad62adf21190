/**
 * The file driver proper: sql.js's driver, with every committed write appended to the log before
 * it is acknowledged, and compaction of the log into the database file.
 *
 * Sequence of a compaction (crash-safe at every step):
 * 1. note the log offset P the snapshot will cover; restart the log's SQL dictionary; export the
 *    image now (on this thread), or, in the background, have a worker thread rebuild it from the
 *    database file and the log's records before P (`log-snapshot.ts`);
 * 2. write it to `.gstmp` and fsync (the worker does this itself);
 * 3. append a snapshot marker (P, length, CRC of the image) to the log and fsync;
 * 4. remove any `-wal`/`-shm` left by another program (their data is in the image), rename
 *    `.gstmp` over the database, fsync the directory;
 * 5. replace the log (write-and-rename) with the records after P.
 *
 * The file stays whole (over 500 lines): the write path and compaction share private state —
 * the transaction in progress, the log offset P, the compaction under way — that splitting them
 * would have to expose.
 */
import * as nodePath from 'node:path';
import {
  DriverError,
  InvalidArgumentError,
  type SqlDriver,
  type SqlRow,
  type SqlValue,
  StoreError,
} from '@go-store/core';
import type { SqlJsDriver } from '@go-store/driver-sqljs';
import { crc32 } from './crc32.js';
import { freeBytes, LOG_RESERVE_BYTES } from './disk-space.js';
import { exists, fsyncDirectory, fsyncDirectoryAsync, removeIfExists } from './durable-fs.js';
import { SizeGuard } from './limits.js';
import type { FileLock } from './lock.js';
import type { LogFile } from './log.js';
import type { Fingerprint, LoggedStatement } from './log-format.js';
import type { ResolvedOptions } from './options.js';
import type { DatabaseFiles } from './paths.js';
import { installSnapshot, renameSnapshot, writeSnapshot } from './snapshot.js';
import { snapshotInWorker } from './snapshot-thread.js';

/** The driver {@link openFileDriver} returns: a {@link SqlDriver}, plus compaction on demand. */
export interface FileDriver extends SqlDriver {
  /** The database's files. */
  readonly files: DatabaseFiles;
  /** Resolves when every committed write is as durable as the durability mode promises. */
  sync(): Promise<void>;
  /** Writes and fsyncs every committed write now, whatever the durability mode. */
  flush(): Promise<void>;
  /**
   * Brings the database file up to date now: writes a snapshot and empties the log. Needs no
   * open transaction. Normally automatic (by log size, and on close).
   */
  compact(): Promise<void>;
  /** Compacts, removes the log and the lock, and frees the database. Idempotent. */
  close(): Promise<void>;
}

const TOTAL_CHANGES_SQL = 'SELECT total_changes()';
const PAGE_SIZE_SQL = 'PRAGMA page_size';
/** The size the database's file would have. */
const FILE_SIZE_SQL = 'SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()';
/** The bytes of the database's pages in use (its file's size, less the free pages). */
const DATABASE_SIZE_SQL =
  'SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()';
/** What a statement that is not plain DML may change: rows, schema, and header fields. */
const SIGNATURE_SQL =
  'SELECT total_changes(), (SELECT schema_version FROM pragma_schema_version()), ' +
  '(SELECT user_version FROM pragma_user_version()), (SELECT application_id FROM pragma_application_id())';

/**
 * How many compaction thresholds the log may hold while a compaction runs before writers wait
 * for it (the log then stays within about this many times the database's size).
 */
export const LOG_GROWTH_FACTOR = 4;

const READ_SQL = /^\s*(?:select|values|explain)\b/i;
const DML_SQL = /^\s*(?:insert|update|delete|replace)\b/i;
const DELETE_SQL = /^\s*delete\b/i;

/** `read`: never changes the database; `dml`: changes only rows; `other`: may change anything. */
type StatementKind = 'read' | 'dml' | 'other';

/** Field-by-field comparison of two signature rows. */
function sameRow(a: SqlRow | undefined, b: SqlRow | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The driver of an open database file; built by the recovery once the database is up to date. */
export class PersistentDriver implements FileDriver {
  readonly #sql: SqlJsDriver;
  #inTransaction = false;
  #transactionStatements: LoggedStatement[] = [];
  /** `total_changes()` after the last write, or undefined when not known. */
  #knownTotalChanges: number | undefined;
  readonly #kinds = new Map<string, StatementKind>();
  #snapshotSize: number;
  #compaction: Promise<void> | undefined;
  /** After a failed compaction, the log offset at which to try again. */
  #compactAgainAt = 0;
  #closing: Promise<void> | undefined;
  readonly #sizeGuard: SizeGuard;
  #pageSize: number;
  /** Set once worker threads proved unusable here: snapshots are then taken on this thread. */
  #noWorker = false;
  /** Set when a worker declined: the next compaction takes its snapshot on this thread. */
  #hereNext = false;
  /**
   * Set once this compaction has marked its snapshot in the log: from then until the rename, a
   * crash would install `.gstmp` on open, so a failure must keep it.
   */
  #marked = false;
  /**
   * The length of a marked snapshot whose rename failed, which waits in `.gstmp` (it may hold
   * the only copy of a removed `-wal`'s frames): it is installed before another is written.
   */
  #pendingSnapshot: number | undefined;
  /** The length of the snapshot {@link #marked} refers to. */
  #markedLength = 0;

  readonly #inner: SqlJsDriver;
  readonly #log: LogFile;
  readonly #lock: FileLock;
  readonly #options: ResolvedOptions;
  readonly #fileMode: number | undefined;

  constructor(
    readonly files: DatabaseFiles,
    inner: SqlJsDriver,
    log: LogFile,
    lock: FileLock,
    options: ResolvedOptions,
    snapshotSize: number,
    fileMode: number | undefined,
  ) {
    this.#inner = inner;
    this.#log = log;
    this.#lock = lock;
    this.#options = options;
    this.#fileMode = fileMode;
    this.#sql = inner;
    this.#snapshotSize = snapshotSize;
    this.#knownTotalChanges = this.#totalChanges();
    this.#pageSize = Number(this.#sql.get(PAGE_SIZE_SQL, [])?.[0] ?? 4096);
    this.#sizeGuard = new SizeGuard(
      options.maxDatabaseBytes,
      () => Number(this.#sql.get(DATABASE_SIZE_SQL, [])?.[0] ?? 0),
      files.database,
    );
  }

  all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    const kind = this.#kind(sql);
    if (kind === 'read') {
      this.#assertReadable();
      return this.#sql.all(sql, params);
    }
    return this.#write(
      kind,
      sql,
      params,
      () => this.#sql.all(sql, params),
      () => undefined,
    );
  }

  get(sql: string, params: readonly SqlValue[]): SqlRow | undefined {
    const kind = this.#kind(sql);
    if (kind === 'read') {
      this.#assertReadable();
      return this.#sql.get(sql, params);
    }
    return this.#write(
      kind,
      sql,
      params,
      () => this.#sql.get(sql, params),
      () => undefined,
    );
  }

  run(sql: string, params: readonly SqlValue[]): number {
    return this.#write(
      this.#kind(sql),
      sql,
      params,
      () => this.#sql.run(sql, params),
      (changes) => changes,
    );
  }

  exec(sql: string): void {
    this.#assertWritable();
    this.#sizeGuard.admit([], this.#pageSize);
    const before = this.#signature();
    try {
      this.#sql.exec(sql);
    } catch (error) {
      // `exec` runs its statements one by one: those before the failing one stay applied.
      const after = this.#signature();
      if (!sameRow(before, after)) this.#record({ op: 'exec-partial', sql, params: [] });
      throw error;
    }
    const after = this.#signature();
    this.#knownTotalChanges = after === undefined ? undefined : Number(after[0]);
    if (!sameRow(before, after)) this.#record({ op: 'exec', sql, params: [] });
  }

  begin(): void {
    this.#assertWritable();
    this.#sql.begin();
    this.#inTransaction = true;
    this.#transactionStatements = [];
  }

  commit(): void {
    this.#assertWritable();
    this.#sql.commit();
    this.#inTransaction = false;
    const statements = this.#transactionStatements;
    this.#transactionStatements = [];
    // The whole transaction is one record: after a crash it is replayed entirely or not at all.
    if (statements.length > 0) this.#log.appendWrites(statements, true);
    this.#maybeCompact();
  }

  rollback(): void {
    this.#assertOpen();
    this.#sql.rollback();
    this.#inTransaction = false;
    this.#transactionStatements = [];
    // Rolled-back changes still count in total_changes(): take the count afresh.
    this.#knownTotalChanges = this.#totalChanges();
  }

  /**
   * Resolves once every committed write is as durable as the mode promises. While a compaction
   * runs and the log has grown past {@link LOG_GROWTH_FACTOR} compaction thresholds, it also
   * waits for the compaction: writers are slowed rather than letting the log outgrow the
   * database without bound when writes come faster than snapshots.
   */
  sync(): Promise<void> {
    const compaction = this.#compaction;
    if (compaction !== undefined && this.#log.recordBytes > LOG_GROWTH_FACTOR * this.#compactionThreshold()) {
      return compaction.then(() => this.#log.sync());
    }
    return this.#log.sync();
  }

  flush(): Promise<void> {
    return this.#log.flush();
  }

  async compact(): Promise<void> {
    this.#assertOpen();
    // Loop: another compaction may start while this call waits for the current one.
    while (this.#compaction) await this.#compaction;
    this.#assertOpen();
    if (this.#inTransaction) throw new InvalidArgumentError(`compact: ${this.files.database}: a transaction is open`);
    await this.#startCompaction('now');
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    while (this.#compaction) await this.#compaction;
    let failure: unknown;
    try {
      if (this.#inTransaction) this.rollback();
      if (this.#log.failure) throw this.#log.failure;
      const pending = this.#pendingSnapshot !== undefined;
      if (pending || this.#log.recordBytes > 0 || exists(this.files.wal) || exists(this.files.shm)) {
        await this.#startCompaction('close');
      } else {
        this.#log.close();
        removeIfExists(this.files.log);
        fsyncDirectory(nodePath.dirname(this.files.database));
      }
    } catch (error) {
      // Every acknowledged write is still in the log, which the next open replays.
      failure = error;
      try {
        this.#log.close();
      } catch {
        // Already reported through `failure`.
      }
    } finally {
      this.#inner.close();
      this.#lock.release();
    }
    if (failure !== undefined) {
      if (failure instanceof StoreError) throw failure;
      throw new DriverError(
        `close: ${this.files.database}: could not write the final snapshot (${(failure as Error)?.message ?? String(failure)}); the writes are kept in ${this.files.log}`,
        failure,
      );
    }
  }

  #kind(sql: string): StatementKind {
    let kind = this.#kinds.get(sql);
    if (kind === undefined) {
      kind = READ_SQL.test(sql) ? 'read' : DML_SQL.test(sql) ? 'dml' : 'other';
      this.#kinds.set(sql, kind);
    }
    return kind;
  }

  /**
   * Executes a statement that may change the database and logs it if it did. Plain DML changes
   * nothing unless it changes rows (triggers included), which `total_changes()` counts; anything
   * else (DDL, pragmas, CTEs) is compared on rows, schema version and header fields.
   */
  #write<T>(
    kind: StatementKind,
    sql: string,
    params: readonly SqlValue[],
    execute: () => T,
    changes: (result: T) => number | undefined,
  ): T {
    this.#assertWritable();
    // A delete never grows the file: it stays possible at the limit, to make room.
    if (!DELETE_SQL.test(sql)) this.#sizeGuard.admit(params, this.#pageSize);
    let changed: boolean;
    let result: T;
    if (kind === 'dml') {
      result = execute();
      const n = changes(result);
      if (n !== undefined && n > 0) {
        changed = true;
        // `n` leaves out rows changed by triggers, so the count may fall short, never exceed:
        // at worst a later no-op is logged once, and the count is taken afresh.
        if (this.#knownTotalChanges !== undefined) this.#knownTotalChanges += n;
      } else {
        const before = this.#knownTotalChanges;
        this.#knownTotalChanges = this.#totalChanges();
        changed = before === undefined || before !== this.#knownTotalChanges;
      }
    } else {
      const before = this.#signature();
      result = execute();
      const after = this.#signature();
      this.#knownTotalChanges = after === undefined ? undefined : Number(after[0]);
      changed = !sameRow(before, after);
    }
    if (changed) this.#record({ op: 'run', sql, params });
    return result;
  }

  #record(statement: LoggedStatement): void {
    if (this.#inTransaction) {
      this.#transactionStatements.push({ op: statement.op, sql: statement.sql, params: statement.params.slice() });
    } else {
      this.#log.appendWrites([statement], false);
      this.#maybeCompact();
    }
  }

  #totalChanges(): number {
    return Number(this.#sql.get(TOTAL_CHANGES_SQL, [])?.[0] ?? 0);
  }

  #signature(): SqlRow | undefined {
    return this.#sql.get(SIGNATURE_SQL, []);
  }

  #assertOpen(): void {
    if (this.#closing) throw new DriverError(`${this.files.database}: the database is closed`, undefined);
  }

  /**
   * Once the log has failed, the database in memory may hold a write that was refused (its
   * record could not be made durable): reads refuse too, rather than return it.
   */
  #assertReadable(): void {
    const failure = this.#log.failure;
    if (failure === undefined) return;
    throw new DriverError(
      `${this.files.database}: a write to the log failed, so this store may hold writes that were refused and not made durable; reopen the store to read its data (${failure.message})`,
      failure,
    );
  }

  /** After the log has failed, a write is refused before it takes effect: its outcome is known. */
  #assertWritable(): void {
    this.#assertOpen();
    const failure = this.#log.failure;
    if (failure === undefined) return;
    throw new DriverError(
      `${this.files.database}: write refused (nothing was written): an earlier write to the log failed; reopen the store (${failure.message})`,
      failure,
    );
  }

  #compactionThreshold(): number {
    return Math.max(this.#options.compactMinBytes, this.#options.compactRatio * this.#snapshotSize);
  }

  #maybeCompact(): void {
    if (this.#inTransaction || this.#compaction || this.#closing) return;
    if (this.#log.recordBytes < this.#compactionThreshold() || this.#log.end < this.#compactAgainAt) return;
    void this.#startCompaction('background');
  }

  /**
   * Starts a compaction. The image is taken now, synchronously, between transactions; writing
   * it is asynchronous, and the writes that commit meanwhile are logged after offset P and kept
   * by the log rotation. `background` failures are kept quiet (the log still holds everything)
   * and retried later; `now` and `close` failures reject.
   */
  #startCompaction(mode: 'background' | 'now' | 'close'): Promise<void> {
    this.#marked = false;
    if (this.#pendingSnapshot !== undefined) {
      try {
        installSnapshot(this.files);
        this.#snapshotSize = this.#pendingSnapshot;
        this.#pendingSnapshot = undefined;
      } catch (error) {
        return this.#settleFailure(error, mode);
      }
    }
    const shortOfSpace = this.#shortOfSpace();
    if (shortOfSpace !== undefined) {
      this.#compactAgainAt = this.#log.end + this.#compactionThreshold();
      const error = new DriverError(shortOfSpace, undefined);
      if (mode !== 'background') return Promise.reject(error);
      this.#report(error);
      return Promise.resolve();
    }
    const inWorker = this.#useWorker(mode);
    if (!inWorker) this.#hereNext = false;
    const run = inWorker ? this.#compactInWorker() : this.#compactHere(mode);
    const tracked = run.then(
      () => {
        this.#compaction = undefined;
        this.#compactAgainAt = 0;
      },
      (error: unknown) => {
        this.#compaction = undefined;
        return this.#settleFailure(error, mode);
      },
    );
    this.#compaction = tracked.catch(() => undefined);
    return tracked;
  }

  /**
   * After a failed compaction: tries again once the log has grown by a threshold; keeps a marked
   * snapshot that was not renamed (see {@link #pendingSnapshot}) and removes any other; rejects
   * (`now`, `close`) or reports (`background`).
   */
  #settleFailure(error: unknown, mode: 'background' | 'now' | 'close'): Promise<void> {
    this.#compactAgainAt = this.#log.end + this.#compactionThreshold();
    let where = `every write is still in ${this.files.log}`;
    if (this.#pendingSnapshot === undefined && this.#marked && exists(this.files.snapshotTemp)) {
      this.#pendingSnapshot = this.#markedLength;
    }
    if (this.#pendingSnapshot !== undefined) {
      where = `every write is in ${this.files.snapshotTemp} and ${this.files.log}; the snapshot is installed at the next compaction, close or open`;
    } else {
      removeQuietly(this.files.snapshotTemp);
    }
    const failure =
      error instanceof StoreError
        ? error
        : new DriverError(
            `${this.files.database}: compaction failed (${(error as Error)?.message ?? String(error)}); ${where}`,
            error,
          );
    if (mode !== 'background') return Promise.reject(failure);
    this.#report(failure);
    return Promise.resolve();
  }

  /**
   * Why a compaction must wait, when it must: its snapshot (about the database's size) and the
   * log's new copy need room, and {@link LOG_RESERVE_BYTES} must stay free for the log.
   */
  #shortOfSpace(): string | undefined {
    const dir = nodePath.dirname(this.files.database);
    const free = freeBytes(dir);
    const size = Number(this.#sql.get(FILE_SIZE_SQL, [])?.[0] ?? 0);
    const need = size + this.#log.recordBytes + LOG_RESERVE_BYTES;
    if (free >= need) return undefined;
    return `${this.files.database}: compaction deferred: it needs about ${need} bytes free in ${dir} (a snapshot of the database, a copy of the log, and ${LOG_RESERVE_BYTES} bytes kept for the log), and ${free} are; every write is kept in ${this.files.log}, reads and writes go on, and compaction is tried again later`;
  }

  /**
   * The compaction that follows recovery: tried when there is room, else deferred; either way
   * the store opens (every write is in the log), and `onError` is told when it was not done.
   */
  async compactAfterOpen(): Promise<void> {
    try {
      await this.compact();
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#options.onError(error);
    } catch {
      // A failing error handler must not turn into an unhandled rejection.
    }
  }

  /**
   * Whether this compaction's snapshot is built by a worker thread: background compactions only
   * (`compact()` and `close()` want the file up to date now, and copying is then the quickest
   * way), and not while another program's `-wal` is beside the file (its frames are folded in
   * memory only).
   */
  #useWorker(mode: 'background' | 'now' | 'close'): boolean {
    return (
      mode === 'background' &&
      this.#options.snapshotWorker &&
      !this.#noWorker &&
      !this.#hereNext &&
      !exists(this.files.wal) &&
      !exists(this.files.shm)
    );
  }

  /**
   * Exports the image now, synchronously, between transactions: it holds every record before
   * the log's current end, P.
   */
  #compactHere(mode: 'background' | 'now' | 'close'): Promise<void> {
    const image = this.#inner.db.export();
    const covered = this.#log.end;
    this.#log.encoder.resetDictionary();
    return this.#writeAndInstall(image, covered, mode);
  }

  async #writeAndInstall(image: Uint8Array, covered: number, mode: 'background' | 'now' | 'close'): Promise<void> {
    const imageCrc = crc32(image);
    await writeSnapshot(this.files.snapshotTemp, image, this.#fileMode);
    const snapshot = { length: image.length, crc: imageCrc };
    if (mode === 'background') await this.#installInBackground(snapshot, covered);
    else this.#install(snapshot, covered, mode);
  }

  /**
   * A worker thread rebuilds the database as of P (the log's current end) from the database file
   * and the log, and writes and syncs the snapshot; this thread only writes out the records
   * before P for it to read, and installs the result. When the worker cannot do it, the next
   * write starts a compaction on this thread instead.
   */
  async #compactInWorker(): Promise<void> {
    const covered = this.#log.end;
    this.#log.encoder.resetDictionary();
    this.#log.writeOut();
    const outcome = await snapshotInWorker({
      database: this.files.database,
      log: this.files.log,
      covered,
      temp: this.files.snapshotTemp,
      mode: this.#fileMode,
    });
    if (outcome.kind === 'done') {
      await this.#installInBackground(outcome.snapshot, covered);
      return;
    }
    if (outcome.kind === 'unavailable') this.#noWorker = true;
    // Declined or unavailable: nothing was written. The next write compacts on this thread.
    this.#hereNext = true;
    this.#compactAgainAt = 0;
  }

  /**
   * {@link #install} for a background compaction, with the directory sync that makes the rename
   * durable, and most of the log's trimming, done off the main thread. Writes go on meanwhile,
   * logged after the marker; a crash meanwhile finds the marker, and whichever file the
   * directory holds. Only once the rename is durable is the log trimmed (its new base is the new
   * file).
   */
  async #installInBackground(snapshot: Fingerprint, covered: number): Promise<void> {
    this.#mark(snapshot, covered);
    renameSnapshot(this.files);
    await fsyncDirectoryAsync(nodePath.dirname(this.files.database));
    this.#snapshotSize = snapshot.length;
    await this.#log.rotateInBackground(covered, snapshot);
  }

  /** Marks the synced snapshot in the log: from here, a crash installs it on open. */
  #mark(snapshot: Fingerprint, covered: number): void {
    this.#log.appendSnapshotMarker(covered, snapshot.length, snapshot.crc);
    this.#marked = true;
    this.#markedLength = snapshot.length;
  }

  /** Marks the synced snapshot in the log, installs it, and trims (or, on close, removes) the log. */
  #install(snapshot: Fingerprint, covered: number, mode: 'background' | 'now' | 'close'): void {
    // From here to the end, all is synchronous: no write can slip between the steps.
    this.#mark(snapshot, covered);
    installSnapshot(this.files);
    this.#snapshotSize = snapshot.length;
    if (mode === 'close') {
      this.#log.close();
      removeIfExists(this.files.log);
      fsyncDirectory(nodePath.dirname(this.files.database));
    } else {
      this.#log.rotate(covered, snapshot);
    }
  }
}

function removeQuietly(path: string): void {
  try {
    removeIfExists(path);
  } catch {
    // Best effort: a stale temporary file is removed on the next open.
  }
}
