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
import type { FileLock } from './lock.js';
import { LogFile } from './log.js';
import { type LogScan, type ScannedRecord, scanLog } from './log-format.js';
import type { ResolvedOptions } from './options.js';
import type { DatabaseFiles } from './paths.js';
import { type FileDriver, PersistentDriver, type SyncDriver } from './persistent-driver.js';
import { hasFingerprint, installSnapshot } from './snapshot.js';

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
