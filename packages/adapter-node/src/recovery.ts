/**
 * Opening a database file: bringing the database in memory up to date with everything that was
 * acknowledged, from the files a previous run left (cleanly or by crashing), before the driver
 * takes any new write.
 *
 * In order: refuse a hot `-journal` another SQLite program left (only SQLite can roll it back);
 * if the last snapshot marker's snapshot is complete in `.gstmp` but not installed, install it;
 * load the database file (plus the committed frames of a `-wal` file, if any); skip the log
 * records the file already holds (those before the offset of the last marker that matches it);
 * replay the rest; then, if anything was replayed or folded in, compact at once.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DriverError, NotADatabaseError, StoreError } from '@go-store/core';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import type { Database, SqlJsStatic } from 'sql.js';
import { checkNoHotJournal, readDatabaseImage } from './database-image.js';
import { exists, fsyncDirectory, readIfExists, removeIfExists } from './durable-fs.js';
import { DatabaseTooLargeError } from './errors.js';
import { MAX_DATABASE_BYTES, NATIVE_HINT } from './limits.js';
import type { FileLock } from './lock.js';
import { LogFile } from './log.js';
import { fileSource, type LogSummary, readRecords, scanLog } from './log-scan.js';
import type { ResolvedOptions } from './options.js';
import type { DatabaseFiles } from './paths.js';
import { type FileDriver, PersistentDriver } from './persistent-driver.js';
import { replay } from './replay.js';
import { fingerprint, hasFingerprint, installSnapshot } from './snapshot.js';

const QUICK_CHECK_SQL = 'PRAGMA quick_check';
/**
 * Recovers the database at `files` (whose lock is held) and returns the driver that owns it
 * from now on. Nothing is written before the database and its log have been read and checked.
 */
export async function openLocked(
  SQL: SqlJsStatic,
  files: DatabaseFiles,
  lock: FileLock,
  options: ResolvedOptions,
): Promise<FileDriver> {
  const dir = nodePath.dirname(files.database);
  // Before anything is read or written: a transaction another SQLite program left unfinished.
  checkNoHotJournal(files.database);

  checkDatabaseSize(files.database);
  let main = readIfExists(files.database);
  if (main !== undefined) {
    try {
      fs.accessSync(files.database, fs.constants.W_OK);
    } catch (error) {
      throw new DriverError(`openStore: ${files.database}: the file is read-only`, error);
    }
  }

  // The log a previous run left, if any, read in chunks: first checked whole, then replayed.
  const logFd = openIfExists(files.log);
  let inner: ReturnType<typeof createSqlJsDriver> | undefined;
  let log: LogFile | undefined;
  try {
    const source = logFd === undefined ? undefined : fileSource(logFd, fs.fstatSync(logFd).size);
    const scan = source === undefined ? undefined : scanLog(source);
    const markers = scan?.markers ?? [];

    // A compaction that crashed after its snapshot was complete and marked, but before the
    // rename (it may already have removed a `-wal` whose frames only the snapshot now holds):
    // finish it. Only for a log that is whole: a damaged one changes nothing.
    const last = markers.at(-1)?.record;
    if (
      scan !== undefined &&
      scan.intactAfter === 0 &&
      last?.type === 'snapshot' &&
      !(main !== undefined && hasFingerprint(main, last.imageLength, last.imageCrc))
    ) {
      const temp = readIfExists(files.snapshotTemp);
      if (temp !== undefined && hasFingerprint(temp, last.imageLength, last.imageCrc)) {
        installSnapshot(files);
        main = temp;
      }
    }

    const loaded = readDatabaseImage(files.database, main);
    const verdict = judgeLog(files, scan, loaded.main);
    const discard = verdict.problem !== undefined;
    if (discard && options.damagedLog !== 'discard') {
      throw new NotADatabaseError(
        `openStore: ${files.log}: ${verdict.problem}; nothing was changed. To open the database anyway, losing the writes the log holds from there on, pass { damagedLog: 'discard' } (the whole log is then kept as ${files.log}.damaged)`,
      );
    }
    // The log is bound to the file as it is on disk (read before the header tweak below).
    const base = fingerprint(loaded.main);
    const image = loaded.image;
    // The image is loaded as a rollback-journal database (sql.js has no shared memory for WAL);
    // snapshots are written that way too. go-store switches the file back to WAL when it opens it.
    if (image.length >= 100 && image[18] === 2 && image[19] === 2) {
      image[18] = 1;
      image[19] = 1;
    }
    const fileMode = main === undefined ? undefined : fs.statSync(files.database).mode & 0o7777;

    const db = loadDatabase(SQL, files.database, image);
    inner = createSqlJsDriver(db);
    const keepUntil = verdict.keepUntil;
    const replayed =
      source === undefined || keepUntil <= verdict.from
        ? 0
        : replay(inner, readRecords(source, verdict.from, keepUntil), files.log);

    // Nothing above wrote a file (but for finishing our own interrupted compaction); from here
    // on the database is ours.
    removeIfExists(files.snapshotTemp);
    removeIfExists(`${files.log}.tmp`);
    if (!loaded.mainExists) {
      fs.writeFileSync(files.database, new Uint8Array(0), { flag: 'wx' });
      fsyncDirectory(dir);
    }
    if (scan !== undefined && logFd !== undefined) reportDroppedTail(files, logFd, scan, verdict, options);
    // A new log, bound to the database file, unless the old one holds records still to keep.
    if (scan === undefined || typeof scan.header === 'string' || (discard && verdict.keepUntil <= verdict.from)) {
      log = LogFile.create(files.log, base, options.durability, options.relaxedIntervalMs);
    } else {
      log = LogFile.append(files.log, scan.header.length, keepUntil, options.durability, options.relaxedIntervalMs);
    }
    const driver = new PersistentDriver(files, inner, log, lock, options, loaded.main.length, fileMode);
    const foreignWal = exists(files.wal) || exists(files.shm);
    if (replayed > 0 || markers.length > 0 || loaded.walFrames > 0 || foreignWal) await driver.compactAfterOpen();
    return driver;
  } catch (error) {
    try {
      log?.close();
    } catch {
      // The original error says more.
    }
    inner?.close();
    throw error;
  } finally {
    if (logFd !== undefined) fs.closeSync(logFd);
  }
}

/** Refuses a database file larger than the sql.js engine can read, before reading it. */
function checkDatabaseSize(path: string): void {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch {
    return; // No file: a new database.
  }
  if (size > MAX_DATABASE_BYTES) {
    throw new DatabaseTooLargeError(
      `openStore: ${path}: the database (${size} bytes) is larger than the sql.js engine can open (${MAX_DATABASE_BYTES} bytes); ${NATIVE_HINT}; nothing was changed`,
      MAX_DATABASE_BYTES,
    );
  }
}

/** What may be replayed from a log, or why it may not. */
interface Verdict {
  /** Where replay starts: the first record the database file does not hold. */
  readonly from: number;
  /** Where the records that are kept end (`from` when none is). */
  readonly keepUntil: number;
  /** Why the log cannot be replayed as it is: refused unless the caller accepts the loss. */
  readonly problem?: string;
}

/**
 * Decides what of the log applies to the database file `main`: the records after the last
 * snapshot marker that is this file (or, without one, after the header, when the log's base is
 * this file), up to the first bad record. A log bound to another file, a damaged header, or a
 * bad record with intact records after it is a problem: the records it would lose may be
 * acknowledged writes. Without a problem, a bad record at the end is a torn tail, dropped.
 */
function judgeLog(files: DatabaseFiles, scan: LogSummary | undefined, main: Uint8Array): Verdict {
  if (scan === undefined) return { from: 0, keepUntil: 0 };
  const header = scan.header;
  if (header === 'short') return { from: 0, keepUntil: 0 }; // created by a crash, never written to
  if (header === 'bad')
    return { from: 0, keepUntil: 0, problem: 'its header is damaged, so it cannot be matched to the database' };
  let from: number | undefined;
  for (let i = scan.markers.length - 1; i >= 0 && from === undefined; i--) {
    const m = scan.markers[i].record;
    if (m.type === 'snapshot' && hasFingerprint(main, m.imageLength, m.imageCrc)) from = m.covered;
  }
  if (from === undefined) {
    if (header.version === 2 && !hasFingerprint(main, header.base.length, header.base.crc)) {
      return {
        from: 0,
        keepUntil: 0,
        problem: `it belongs to another database, or to an older or newer copy of this one: it applies to a database file of ${header.base.length} bytes with CRC-32 ${hex(header.base.crc)}, and ${files.database} (${main.length} bytes) is not that file`,
      };
    }
    from = header.length;
  }
  if (scan.intactAfter > 0) {
    return {
      from,
      keepUntil: scan.validEnd,
      problem: `damaged: the record at byte ${scan.validEnd} is ${scan.tail === 'torn' ? 'cut short' : 'corrupt (its checksum does not match)'}, and ${scan.intactAfter} intact record${scan.intactAfter === 1 ? '' : 's'} follow${scan.intactAfter === 1 ? 's' : ''} it`,
    };
  }
  return { from, keepUntil: Math.max(from, scan.validEnd) };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Reports what recovery dropped to `onError`, and keeps what may be worth inspecting: the whole
 * log when the caller accepted the loss of a damaged one, the bytes of a corrupt last record.
 * A torn tail (a write the crash cut short, never acknowledged) is only reported.
 */
function reportDroppedTail(
  files: DatabaseFiles,
  logFd: number,
  scan: LogSummary,
  verdict: Verdict,
  options: ResolvedOptions,
): void {
  let message: string | undefined;
  if (verdict.problem !== undefined) {
    const kept = keepCopy(`${files.log}.damaged`, (target) => fs.copyFileSync(files.log, target));
    message = `openStore: ${files.log}: ${verdict.problem}; discarded as asked (damagedLog: 'discard'): the writes it held from there on are lost; the whole log is kept as ${kept}`;
  } else if (scan.tail === 'torn') {
    message = `openStore: ${files.log}: the last record (${scan.discardedBytes} bytes at byte ${scan.validEnd}) was cut short, by a crash while it was written, before it was acknowledged; dropped`;
  } else if (scan.tail === 'corrupt') {
    const bytes = fileSource(logFd, scan.validEnd + scan.discardedBytes)
      .view(scan.validEnd, scan.discardedBytes)
      .slice();
    const kept = keepCopy(`${files.log}.damaged`, (target) => fs.writeFileSync(target, bytes));
    message = `openStore: ${files.log}: the last record (${scan.discardedBytes} bytes at byte ${scan.validEnd}) is damaged (its checksum does not match); dropped, and kept as ${kept}`;
  }
  if (message === undefined) return;
  try {
    options.onError(new DriverError(message, undefined));
  } catch {
    // A failing error handler must not fail the open.
  }
}

/** Writes a copy with `write` at `path`, or at `path.1`, `path.2`… when taken; returns where. */
function keepCopy(path: string, write: (target: string) => void): string {
  let target = path;
  for (let n = 1; exists(target); n++) target = `${path}.${n}`;
  write(target);
  return target;
}

/** An open descriptor for reading `path`, or `undefined` when there is no such file. */
function openIfExists(path: string): number | undefined {
  try {
    return fs.openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
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
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw new NotADatabaseError(
      `openStore: ${path}: not a valid SQLite database (${(error as Error)?.message ?? String(error)}); the file was not modified`,
      { cause: error },
    );
  }
}
