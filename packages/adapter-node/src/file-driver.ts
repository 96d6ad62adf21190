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
 * Compaction writes the in-memory database to a new snapshot and trims the log. It starts
 * between transactions once the log outgrows `compactRatio` × the database's size (and at least
 * `compactMinBytes`), so its cost is spread over as many bytes of writes as it copies, and runs
 * in the background (the copy is written and synced off the main thread); `close()` compacts a
 * last time.
 *
 * Sequence of a compaction (crash-safe at every step):
 * 1. export the image; note the log offset P it covers; restart the log's SQL dictionary;
 * 2. write it to `.gstmp` and fsync;
 * 3. append a snapshot marker (P, length, CRC of the image) to the log and fsync;
 * 4. remove any `-wal`/`-shm` left by another program (their data is in the image), rename
 *    `.gstmp` over the database, fsync the directory;
 * 5. replace the log (write-and-rename) with the records after P.
 *
 * On open: refuse a hot `-journal` another SQLite program left (only SQLite can roll it back);
 * if the last marker's snapshot is complete in `.gstmp` but not installed, install it;
 * load the database file (plus the committed frames of a `-wal` file, if any); skip the log
 * records the file already holds (those before the offset of the last marker that matches it);
 * replay the rest; then, if anything was replayed or folded in, compact at once.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  DriverError,
  InvalidArgumentError,
  NotADatabaseError,
  type SqlDriver,
  type SqlRow,
  type SqlValue,
  StoreError,
} from '@go-store/core';
import { createSqlJsDriver, loadSqlJs, type SqlJsDriver } from '@go-store/driver-sqljs';
import type { Database, SqlJsStatic } from 'sql.js';
import { crc32 } from './crc32.js';
import { checkNoHotJournal, readDatabaseImage } from './database-image.js';
import { exists, fsyncDirectory, readIfExists, removeIfExists } from './durable-fs.js';
import { acquireLock, type FileLock } from './lock.js';
import { type Durability, LogFile } from './log.js';
import { type LoggedStatement, type LogScan, type ScannedRecord, scanLog } from './log-format.js';
import { type DatabaseFiles, databaseFiles, hasFingerprint, installSnapshot, writeSnapshot } from './snapshot.js';

export type { DatabaseFiles } from './snapshot.js';

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
}

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

const DEFAULTS = {
  durability: 'full' as Durability,
  relaxedIntervalMs: 100,
  compactMinBytes: 4 * 1024 * 1024,
  compactRatio: 1,
  onError: (error: unknown): void => console.error(error),
};

type ResolvedOptions = typeof DEFAULTS;

const QUICK_CHECK_SQL = 'PRAGMA quick_check';
const TOTAL_CHANGES_SQL = 'SELECT total_changes()';
/** What a statement that is not plain DML may change: rows, schema, and header fields. */
const SIGNATURE_SQL =
  'SELECT total_changes(), (SELECT schema_version FROM pragma_schema_version()), ' +
  '(SELECT user_version FROM pragma_user_version()), (SELECT application_id FROM pragma_application_id())';

const READ_SQL = /^\s*(?:select|values|explain)\b/i;
const DML_SQL = /^\s*(?:insert|update|delete|replace)\b/i;

/** `read`: never changes the database; `dml`: changes only rows; `other`: may change anything. */
type StatementKind = 'read' | 'dml' | 'other';

/** The sql.js driver's methods, which answer synchronously. */
interface SyncDriver {
  all(sql: string, params: readonly SqlValue[]): SqlRow[];
  get(sql: string, params: readonly SqlValue[]): SqlRow | undefined;
  run(sql: string, params: readonly SqlValue[]): number;
  exec(sql: string): void;
  begin(): void;
  commit(): void;
  rollback(): void;
  close(): void;
}

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
  } catch (err) {
    throw describeFsError(files, err);
  }
  try {
    const SQL = await loadSqlJs();
    return await openLocked(SQL, files, lock, resolved);
  } catch (err) {
    lock.release();
    throw describeFsError(files, err);
  }
}

/** Throws `InvalidArgumentError` unless `options` is an object (checked before it is read). */
export function checkOptionsObject(options: unknown): asserts options is object {
  if (options === null || typeof options !== 'object')
    throw new InvalidArgumentError('openStore: options must be an object');
}

function resolveOptions(options: FileDriverOptions): ResolvedOptions {
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

/** Absolute names, with symbolic links resolved so snapshots replace the real file. */
function resolveFiles(path: string): DatabaseFiles {
  if (typeof path !== 'string' || path === '') {
    const got = typeof path === 'string' ? '""' : path === null ? 'null' : typeof path;
    throw new InvalidArgumentError(`openStore: path must be a non-empty string, got ${got}`);
  }
  const absolute = nodePath.resolve(path);
  let database: string;
  try {
    database = fs.realpathSync(absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw describeFsError(databaseFiles(absolute), err);
    const dir = nodePath.dirname(absolute);
    let realDir: string;
    try {
      realDir = fs.realpathSync(dir);
    } catch (err2) {
      throw new DriverError(`openStore: ${absolute}: the directory ${dir} does not exist`, err2);
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

/** Words a file-system error as one naming the database and what could not be done. */
function describeFsError(files: DatabaseFiles, err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const e = err as NodeJS.ErrnoException;
  const dir = nodePath.dirname(files.database);
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DriverError(
        `openStore: ${files.database}: cannot write in ${dir} (${e.code}); the store needs to create its lock, log and snapshot files there`,
        err,
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new DriverError(`openStore: ${files.database}: the directory ${dir} does not exist (${e.code})`, err);
    case 'ENOSPC':
    case 'EDQUOT':
      return new DriverError(`openStore: ${files.database}: no space left in ${dir} (${e.code})`, err);
    default:
      return new DriverError(`openStore: ${files.database}: ${e?.message ?? String(err)}`, err);
  }
}

async function openLocked(
  SQL: SqlJsStatic,
  files: DatabaseFiles,
  lock: FileLock,
  options: ResolvedOptions,
): Promise<FileDriver> {
  const dir = nodePath.dirname(files.database);
  // Before anything is read or written: a transaction another SQLite program left unfinished.
  checkNoHotJournal(files.database);

  // The log a previous run left, if any.
  const logBytes = readIfExists(files.log);
  const scan: LogScan | undefined = logBytes === undefined ? undefined : scanLog(logBytes);
  const records = scan?.records ?? [];
  const markers = records.filter((r) => r.record.type === 'snapshot');

  let main = readIfExists(files.database);
  if (main !== undefined) {
    try {
      fs.accessSync(files.database, fs.constants.W_OK);
    } catch (err) {
      throw new DriverError(`openStore: ${files.database}: the file is read-only`, err);
    }
  }

  // A compaction that crashed after its snapshot was complete and marked, but before the rename
  // (it may already have removed a `-wal` whose frames only the snapshot now holds): finish it.
  const last = markers.at(-1)?.record;
  if (last?.type === 'snapshot' && !(main !== undefined && hasFingerprint(main, last.imageLength, last.imageCrc))) {
    const temp = readIfExists(files.snapshotTemp);
    if (temp !== undefined && hasFingerprint(temp, last.imageLength, last.imageCrc)) {
      installSnapshot(files);
      main = temp;
    }
  }

  const loaded = readDatabaseImage(files.database, main);
  const skipBefore = coveredOffset(markers, loaded.main);
  const image = loaded.image;
  // The image is loaded as a rollback-journal database (sql.js has no shared memory for WAL);
  // snapshots are written that way too. go-store switches the file back to WAL when it opens it.
  if (image.length >= 100 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  const fileMode = main === undefined ? undefined : fs.statSync(files.database).mode & 0o7777;

  const db = loadDatabase(SQL, files.database, image);
  const inner = createSqlJsDriver(db);
  let log: LogFile | undefined;
  try {
    const replayed = replay(inner as unknown as SyncDriver, records, skipBefore, files.log);

    // Nothing above wrote a file (but for finishing our own interrupted compaction); from here
    // on the database is ours.
    removeIfExists(files.snapshotTemp);
    removeIfExists(`${files.log}.tmp`);
    if (scan?.tail === 'corrupt' && logBytes !== undefined) {
      // Not a write cut short by a crash but damaged bytes: keep them for inspection.
      fs.writeFileSync(`${files.log}.damaged`, logBytes.subarray(scan.validEnd));
    }
    log = LogFile.open(files.log, scan, options.durability, options.relaxedIntervalMs);
    if (!loaded.mainExists) {
      fs.writeFileSync(files.database, new Uint8Array(0), { flag: 'wx' });
      fsyncDirectory(dir);
    }
    const driver = new PersistentDriver(files, inner, log, lock, options, loaded.main.length, fileMode);
    const foreignWal = exists(files.wal) || exists(files.shm);
    if (replayed > 0 || markers.length > 0 || loaded.walFrames > 0 || foreignWal) await driver.compact();
    return driver;
  } catch (err) {
    try {
      log?.close();
    } catch {
      // The original error says more.
    }
    inner.close();
    throw err;
  }
}

/**
 * The log offset before which records are already in the database file: the `covered` offset
 * of the last snapshot marker whose snapshot is this file, or 0 when none is (the file is the
 * base the whole log applies to).
 */
function coveredOffset(markers: readonly ScannedRecord[], main: Uint8Array): number {
  for (let i = markers.length - 1; i >= 0; i--) {
    const m = markers[i].record;
    if (m.type === 'snapshot' && hasFingerprint(main, m.imageLength, m.imageCrc)) return m.covered;
  }
  return 0;
}

function loadDatabase(SQL: SqlJsStatic, path: string, image: Uint8Array): Database {
  let db: Database | undefined;
  try {
    db = new SQL.Database(image);
    const result = db.exec(QUICK_CHECK_SQL);
    const lines = (result[0]?.values ?? []).map((row) => String(row[0]));
    if (lines.length !== 1 || lines[0] !== 'ok') {
      throw new NotADatabaseError(
        `openStore: ${path}: corrupt SQLite database (quick_check: ${lines.slice(0, 3).join('; ') || 'no result'}); the file was not modified`,
      );
    }
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreError) throw err;
    throw new NotADatabaseError(
      `openStore: ${path}: not a valid SQLite database (${(err as Error)?.message ?? String(err)}); the file was not modified`,
      { cause: err },
    );
  }
}

/**
 * Applies the log's write records from offset `from` on. Runs of records are applied inside one
 * transaction (in memory, so a crash here loses nothing); a lone `exec` outside a transaction is
 * applied on its own, as it first ran (some statements cannot run inside a transaction).
 */
function replay(inner: SyncDriver, records: readonly ScannedRecord[], from: number, logPath: string): number {
  let open = false;
  let count = 0;
  try {
    for (const { offset, record } of records) {
      if (offset < from || record.type !== 'writes') continue;
      count++;
      const standalone = !record.transaction && record.statements.length === 1 && record.statements[0].op !== 'run';
      if (standalone && open) {
        inner.commit();
        open = false;
      } else if (!standalone && !open) {
        inner.begin();
        open = true;
      }
      for (const s of record.statements) {
        try {
          if (s.op === 'run') inner.run(s.sql, s.params);
          else inner.exec(s.sql);
        } catch (err) {
          if (s.op === 'exec-partial') continue;
          throw new DriverError(
            `openStore: ${logPath}: the record at byte ${offset} cannot be replayed (was the database file changed by another program?): ${(err as Error)?.message ?? String(err)}`,
            err,
          );
        }
      }
    }
    if (open) inner.commit();
    open = false;
  } finally {
    if (open) inner.rollback();
  }
  return count;
}

/** Field-by-field comparison of two signature rows. */
function sameRow(a: SqlRow | undefined, b: SqlRow | undefined): boolean {
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

class PersistentDriver implements FileDriver {
  private readonly sql: SyncDriver;
  private inTransaction = false;
  private transactionStatements: LoggedStatement[] = [];
  /** `total_changes()` after the last write, or undefined when not known. */
  private knownTotalChanges: number | undefined;
  private readonly kinds = new Map<string, StatementKind>();
  private snapshotSize: number;
  private compaction: Promise<void> | undefined;
  /** After a failed compaction, the log offset at which to try again. */
  private compactAgainAt = 0;
  private closing: Promise<void> | undefined;

  constructor(
    readonly files: DatabaseFiles,
    private readonly inner: SqlJsDriver,
    private readonly log: LogFile,
    private readonly lock: FileLock,
    private readonly options: ResolvedOptions,
    snapshotSize: number,
    private readonly fileMode: number | undefined,
  ) {
    this.sql = inner as unknown as SyncDriver;
    this.snapshotSize = snapshotSize;
    this.knownTotalChanges = this.totalChanges();
  }

  all(sql: string, params: readonly SqlValue[]): SqlRow[] {
    const kind = this.kind(sql);
    if (kind === 'read') {
      this.assertReadable();
      return this.sql.all(sql, params);
    }
    return this.write(
      kind,
      sql,
      params,
      () => this.sql.all(sql, params),
      () => undefined,
    );
  }

  get(sql: string, params: readonly SqlValue[]): SqlRow | undefined {
    const kind = this.kind(sql);
    if (kind === 'read') {
      this.assertReadable();
      return this.sql.get(sql, params);
    }
    return this.write(
      kind,
      sql,
      params,
      () => this.sql.get(sql, params),
      () => undefined,
    );
  }

  run(sql: string, params: readonly SqlValue[]): number {
    return this.write(
      this.kind(sql),
      sql,
      params,
      () => this.sql.run(sql, params),
      (changes) => changes,
    );
  }

  exec(sql: string): void {
    this.assertWritable();
    const before = this.signature();
    try {
      this.sql.exec(sql);
    } catch (err) {
      // `exec` runs its statements one by one: those before the failing one stay applied.
      const after = this.signature();
      if (!sameRow(before, after)) this.record({ op: 'exec-partial', sql, params: [] });
      throw err;
    }
    const after = this.signature();
    this.knownTotalChanges = after === undefined ? undefined : Number(after[0]);
    if (!sameRow(before, after)) this.record({ op: 'exec', sql, params: [] });
  }

  begin(): void {
    this.assertWritable();
    this.sql.begin();
    this.inTransaction = true;
    this.transactionStatements = [];
  }

  commit(): void {
    this.assertWritable();
    this.sql.commit();
    this.inTransaction = false;
    const statements = this.transactionStatements;
    this.transactionStatements = [];
    // The whole transaction is one record: after a crash it is replayed entirely or not at all.
    if (statements.length > 0) this.log.appendWrites(statements, true);
    this.maybeCompact();
  }

  rollback(): void {
    this.assertOpen();
    this.sql.rollback();
    this.inTransaction = false;
    this.transactionStatements = [];
    // Rolled-back changes still count in total_changes(): take the count afresh.
    this.knownTotalChanges = this.totalChanges();
  }

  sync(): Promise<void> {
    return this.log.sync();
  }

  flush(): Promise<void> {
    return this.log.flush();
  }

  async compact(): Promise<void> {
    this.assertOpen();
    // Loop: another compaction may start while this call waits for the current one.
    while (this.compaction) await this.compaction;
    this.assertOpen();
    if (this.inTransaction) throw new InvalidArgumentError(`compact: ${this.files.database}: a transaction is open`);
    await this.startCompaction('now');
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    while (this.compaction) await this.compaction;
    let failure: unknown;
    try {
      if (this.inTransaction) this.rollback();
      if (this.log.failure) throw this.log.failure;
      if (this.log.recordBytes > 0 || exists(this.files.wal) || exists(this.files.shm)) {
        await this.startCompaction('close');
      } else {
        this.log.close();
        removeIfExists(this.files.log);
        fsyncDirectory(nodePath.dirname(this.files.database));
      }
    } catch (err) {
      // Every acknowledged write is still in the log, which the next open replays.
      failure = err;
      try {
        this.log.close();
      } catch {
        // Already reported through `failure`.
      }
    } finally {
      this.inner.close();
      this.lock.release();
    }
    if (failure !== undefined) {
      if (failure instanceof StoreError) throw failure;
      throw new DriverError(
        `close: ${this.files.database}: could not write the final snapshot (${(failure as Error)?.message ?? String(failure)}); the writes are kept in ${this.files.log}`,
        failure,
      );
    }
  }

  private kind(sql: string): StatementKind {
    let kind = this.kinds.get(sql);
    if (kind === undefined) {
      kind = READ_SQL.test(sql) ? 'read' : DML_SQL.test(sql) ? 'dml' : 'other';
      this.kinds.set(sql, kind);
    }
    return kind;
  }

  /**
   * Executes a statement that may change the database and logs it if it did. Plain DML changes
   * nothing unless it changes rows (triggers included), which `total_changes()` counts; anything
   * else (DDL, pragmas, CTEs) is compared on rows, schema version and header fields.
   */
  private write<T>(
    kind: StatementKind,
    sql: string,
    params: readonly SqlValue[],
    execute: () => T,
    changes: (result: T) => number | undefined,
  ): T {
    this.assertWritable();
    let changed: boolean;
    let result: T;
    if (kind === 'dml') {
      result = execute();
      const n = changes(result);
      if (n !== undefined && n > 0) {
        changed = true;
        // `n` leaves out rows changed by triggers, so the count may fall short, never exceed:
        // at worst a later no-op is logged once, and the count is taken afresh.
        if (this.knownTotalChanges !== undefined) this.knownTotalChanges += n;
      } else {
        const before = this.knownTotalChanges;
        this.knownTotalChanges = this.totalChanges();
        changed = before === undefined || before !== this.knownTotalChanges;
      }
    } else {
      const before = this.signature();
      result = execute();
      const after = this.signature();
      this.knownTotalChanges = after === undefined ? undefined : Number(after[0]);
      changed = !sameRow(before, after);
    }
    if (changed) this.record({ op: 'run', sql, params });
    return result;
  }

  private record(statement: LoggedStatement): void {
    if (this.inTransaction) {
      this.transactionStatements.push({ op: statement.op, sql: statement.sql, params: statement.params.slice() });
    } else {
      this.log.appendWrites([statement], false);
      this.maybeCompact();
    }
  }

  private totalChanges(): number {
    return Number(this.sql.get(TOTAL_CHANGES_SQL, [])?.[0] ?? 0);
  }

  private signature(): SqlRow | undefined {
    return this.sql.get(SIGNATURE_SQL, []);
  }

  private assertOpen(): void {
    if (this.closing) throw new DriverError(`${this.files.database}: the database is closed`, undefined);
  }

  /**
   * Once the log has failed, the database in memory may hold a write that was refused (its
   * record could not be made durable): reads refuse too, rather than return it.
   */
  private assertReadable(): void {
    const failure = this.log.failure;
    if (failure === undefined) return;
    throw new DriverError(
      `${this.files.database}: a write to the log failed, so this store may hold writes that were refused and not made durable; reopen the store to read its data (${failure.message})`,
      failure,
    );
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.log.failure) throw this.log.failure;
  }

  private compactionThreshold(): number {
    return Math.max(this.options.compactMinBytes, this.options.compactRatio * this.snapshotSize);
  }

  private maybeCompact(): void {
    if (this.inTransaction || this.compaction || this.closing) return;
    if (this.log.recordBytes < this.compactionThreshold() || this.log.end < this.compactAgainAt) return;
    void this.startCompaction('background');
  }

  /**
   * Starts a compaction. The image is taken now, synchronously, between transactions; writing
   * it is asynchronous, and the writes that commit meanwhile are logged after offset P and kept
   * by the log rotation. `background` failures are kept quiet (the log still holds everything)
   * and retried later; `now` and `close` failures reject.
   */
  private startCompaction(mode: 'background' | 'now' | 'close'): Promise<void> {
    const image = this.inner.db.export();
    const covered = this.log.end;
    this.log.encoder.resetDictionary();
    const run = this.finishCompaction(image, covered, mode);
    const tracked = run.then(
      () => {
        this.compaction = undefined;
      },
      (err: unknown) => {
        this.compaction = undefined;
        this.compactAgainAt = this.log.end + this.compactionThreshold();
        removeQuietly(this.files.snapshotTemp);
        const error =
          err instanceof StoreError
            ? err
            : new DriverError(
                `${this.files.database}: compaction failed (${(err as Error)?.message ?? String(err)}); every write is still in ${this.files.log}`,
                err,
              );
        if (mode !== 'background') throw error;
        try {
          this.options.onError(error);
        } catch {
          // A failing error handler must not turn into an unhandled rejection.
        }
      },
    );
    this.compaction = tracked.catch(() => undefined);
    return tracked;
  }

  private async finishCompaction(
    image: Uint8Array,
    covered: number,
    mode: 'background' | 'now' | 'close',
  ): Promise<void> {
    const imageCrc = crc32(image);
    await writeSnapshot(this.files, image, this.fileMode);
    // From here to the end, all is synchronous: no write can slip between the steps.
    this.log.appendSnapshotMarker(covered, image.length, imageCrc);
    installSnapshot(this.files);
    this.snapshotSize = image.length;
    if (mode === 'close') {
      this.log.close();
      removeIfExists(this.files.log);
      fsyncDirectory(nodePath.dirname(this.files.database));
    } else {
      this.log.rotate(covered);
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
