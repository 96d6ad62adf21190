/**
 * A snapshot rebuilt from the files alone: the database file (the last snapshot) with the log's
 * records up to an offset replayed onto it, in a sql.js database of its own, then written to the
 * temporary snapshot file and synced. This is what a compaction runs in a worker thread, so that
 * copying a large database out of memory never pauses the store's event loop: the store's own
 * database is not touched, and its writes go on meanwhile.
 *
 * Replaying is what recovery does after a crash, so the result holds exactly what the store held
 * at that offset. The job declines (and the store then takes its snapshot on its own thread)
 * whenever the files are not simply "a snapshot and the records after it": a log bound to
 * another file, a snapshot marker in it, a record that does not replay.
 */
import * as fs from 'node:fs';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import type { SqlJsStatic } from 'sql.js';
import { crc32 } from './crc32.js';
import { readIfExists } from './durable-fs.js';
import type { Fingerprint } from './log-format.js';
import { fileSource, readRecords, scanLog } from './log-scan.js';
import { replay } from './replay.js';
import { hasFingerprint, writeSnapshot } from './snapshot.js';

/** What to build: the files, and the log offset the snapshot covers. */
export interface LogSnapshotJob {
  /** The database file: the last snapshot, the log's base. */
  readonly database: string;
  /** The log; its records before `covered` are in the file (written, not necessarily synced). */
  readonly log: string;
  /** The snapshot holds every record before this offset of the log, and none after. */
  readonly covered: number;
  /** Where to write the snapshot. */
  readonly temp: string;
  /** Permissions to give the snapshot, or `undefined` for the default. */
  readonly mode: number | undefined;
}

/** The snapshot written: its length and CRC-32, for the log's snapshot marker. */
export interface LogSnapshot {
  readonly length: number;
  readonly crc: number;
}

/**
 * The files are not a snapshot plus the records after it, so this job cannot rebuild the
 * store's database from them; the store takes its snapshot itself instead. Nothing was written.
 */
export class SnapshotDeclinedError extends Error {}

/**
 * Rebuilds the database as of `job.covered` and writes it, synced, to `job.temp`. Rejects with
 * {@link SnapshotDeclinedError} when the files do not allow it, with the file system's error
 * when the snapshot cannot be written.
 */
export async function writeSnapshotFromLog(SQL: SqlJsStatic, job: LogSnapshotJob): Promise<LogSnapshot> {
  const image = rebuild(SQL, job);
  const crc = crc32(image);
  await writeSnapshot(job.temp, image, job.mode);
  return { length: image.length, crc };
}

function rebuild(SQL: SqlJsStatic, job: LogSnapshotJob): Uint8Array {
  const fd = fs.openSync(job.log, 'r');
  try {
    const source = fileSource(fd, job.covered);
    const scan = scanLog(source);
    const header = scan.header;
    if (typeof header === 'string' || header.version !== 2)
      throw new SnapshotDeclinedError('the log has no header binding it to the database');
    if (scan.markers.length > 0 || scan.validEnd !== job.covered)
      throw new SnapshotDeclinedError('the log is not just the records after the last snapshot');
    const db = new SQL.Database(readBase(job.database, header.base));
    const driver = createSqlJsDriver(db);
    try {
      try {
        replay(driver, readRecords(source, header.length, job.covered), job.log);
      } catch (error) {
        throw new SnapshotDeclinedError(`a record does not replay: ${(error as Error)?.message ?? String(error)}`);
      }
      driver.clearStatements();
      return db.export();
    } finally {
      driver.close();
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The database file's bytes, loadable by sql.js; declines unless the file is the log's base. */
function readBase(path: string, base: Fingerprint): Uint8Array {
  const main = readIfExists(path) ?? new Uint8Array(0);
  if (!hasFingerprint(main, base.length, base.crc))
    throw new SnapshotDeclinedError('the database file is not the base of the log');
  // Loaded as the store loads it: a rollback-journal database (see recovery.ts).
  if (main.length >= 100 && main[18] === 2 && main[19] === 2) {
    main[18] = 1;
    main[19] = 1;
  }
  return main;
}
