/**
 * Snapshots: the database file is only ever replaced whole, by renaming a complete, synced copy
 * over it, so it is a valid SQLite database at every instant.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { crc32 } from './crc32.js';
import { fsyncDirectory, removeIfExists, writeFileSynced } from './durable-fs.js';
import type { Fingerprint } from './log-format.js';
import type { DatabaseFiles } from './paths.js';

/** The fingerprint of `bytes`. */
export function fingerprint(bytes: Uint8Array): Fingerprint {
  return { length: bytes.length, crc: crc32(bytes) };
}

/** Whether `bytes` have the fingerprint (the CRC is only computed when the lengths agree). */
export function hasFingerprint(bytes: Uint8Array, length: number, crc: number): boolean {
  return bytes.length === length && crc32(bytes) === crc;
}

/**
 * A snapshot is written and synced this many bytes at a time, so that the log's fsyncs (which
 * acknowledge writes) never wait behind more than this much of it.
 */
const SNAPSHOT_WRITE_STEP = 1024 * 1024;

/** Writes a snapshot to `path` (the temporary file) and syncs it. */
export function writeSnapshot(path: string, image: Uint8Array, mode: number | undefined): Promise<void> {
  return writeFileSynced(path, image, mode, SNAPSHOT_WRITE_STEP);
}

/**
 * Renames the synced temporary snapshot over the database file and syncs the directory.
 *
 * A `-wal` file beside the database is removed first (with its `-shm`): its committed frames are
 * in the snapshot, which is already durable, and SQLite would otherwise apply those old pages on
 * top of the new file the next time anything opened it.
 */
export function installSnapshot(files: DatabaseFiles): void {
  renameSnapshot(files);
  fsyncDirectory(nodePath.dirname(files.database));
}

/**
 * {@link installSnapshot} with the final directory sync left to the caller (who may do it off
 * the main thread): the rename is done, and durable once the directory is synced.
 */
export function renameSnapshot(files: DatabaseFiles): void {
  const removedWal = removeIfExists(files.wal);
  const removedShm = removeIfExists(files.shm);
  if (removedWal || removedShm) fsyncDirectory(nodePath.dirname(files.database));
  fs.renameSync(files.snapshotTemp, files.database);
}
