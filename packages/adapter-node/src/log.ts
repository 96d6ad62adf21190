/**
 * The write log (`<database>.gslog`): an append-only file of checksummed records, each a
 * committed write, with group commit.
 *
 * Appending is cheap and synchronous (into memory); making records durable is what costs, so
 * it is shared. In `full` durability, {@link LogFile.sync} schedules one flush for the current
 * turn of the event loop: every write that commits before it runs (the other concurrent writers)
 * rides on the same `write` and `fdatasync`. In `relaxed` durability, `sync` hands the records
 * to the kernel at once (so they survive the process being killed) and a timer fsyncs them.
 *
 * The file is written only at its end, and replaced only by an atomic rename (see
 * {@link LogFile.rotate}), so at every instant it is a valid prefix of records plus, after a
 * crash, at most one torn record, which `scanLog` (in `log-scan.ts`) detects.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { promisify } from 'node:util';
import { fsyncDirectory, writeFully } from './durable-fs.js';
import { WriteOutcomeUnknownError } from './errors.js';
import { encodeLogHeader, type Fingerprint, LogEncoder, type LoggedStatement } from './log-format.js';
import { bytesSource, readRecords, scanLog } from './log-scan.js';

/** How a write is made durable before its Promise resolves. */
export type Durability = 'full' | 'relaxed';

/** Records held in memory beyond this are written to the file at once (not synced). */
const MAX_PENDING_BYTES = 1 << 20;

/** An open log file, owned by one driver. */
export class LogFile {
  /** Encodes this file's records (it holds the file's SQL dictionary). */
  readonly encoder = new LogEncoder();
  /** Set once a write or fsync has failed: the file's state is unknown and it takes no more records. */
  failure: WriteOutcomeUnknownError | undefined;

  #fileLength: number;
  #syncedLength: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #group: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  #relaxedTimer: NodeJS.Timeout | undefined;
  /** In `relaxed` mode, when the oldest record not yet fsynced was handed to the kernel. */
  #unsyncedSince: number | undefined;
  #closed = false;

  #fd: number;
  #headerLength: number;
  readonly #durability: Durability;
  readonly #relaxedIntervalMs: number;

  private constructor(
    /** The log's path. */
    readonly path: string,
    fd: number,
    /** The length of the file's header. */
    headerLength: number,
    length: number,
    durability: Durability,
    relaxedIntervalMs: number,
  ) {
    this.#fd = fd;
    this.#headerLength = headerLength;
    this.#durability = durability;
    this.#relaxedIntervalMs = relaxedIntervalMs;
    this.#fileLength = length;
    this.#syncedLength = length;
  }

  /**
   * Creates a new, empty log (replacing any file at `path`) whose records apply to the database
   * file with fingerprint `base`; its header is durable before this returns.
   */
  static create(path: string, base: Fingerprint, durability: Durability, relaxedIntervalMs: number): LogFile {
    const header = encodeLogHeader(base);
    const fd = fs.openSync(path, 'w+');
    try {
      writeFully(fd, header, 0);
      fs.fdatasyncSync(fd);
      fsyncDirectory(nodePath.dirname(path));
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    return new LogFile(path, fd, header.length, header.length, durability, relaxedIntervalMs);
  }

  /**
   * Opens an existing log for appending after its intact records, which end at `validEnd`.
   * Anything after them (a torn tail) is cut off, durably, before anything new is appended, or
   * new records would sit behind the torn bytes and never be replayed.
   */
  static append(
    path: string,
    headerLength: number,
    validEnd: number,
    durability: Durability,
    relaxedIntervalMs: number,
  ): LogFile {
    const fd = fs.openSync(path, 'r+');
    try {
      if (fs.fstatSync(fd).size !== validEnd) {
        fs.ftruncateSync(fd, validEnd);
        fs.fdatasyncSync(fd);
      }
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    return new LogFile(path, fd, headerLength, validEnd, durability, relaxedIntervalMs);
  }

  /** Offset where the next record will start (records still in memory included). */
  get end(): number {
    return this.#fileLength + this.#pendingBytes;
  }

  /** Bytes of records in the log, header excluded. */
  get recordBytes(): number {
    return this.end - this.#headerLength;
  }

  /** Appends a record of committed statements. */
  appendWrites(statements: readonly LoggedStatement[], transaction: boolean): void {
    this.#append(this.encoder.writes(statements, transaction));
  }

  /** Appends a snapshot marker (see `log-format.ts`) and makes it durable before returning. */
  appendSnapshotMarker(covered: number, imageLength: number, imageCrc: number): void {
    this.#append(this.encoder.snapshot(covered, imageLength, imageCrc));
    this.flushNow();
  }

  #append(record: Uint8Array): void {
    if (this.failure) throw this.failure;
    this.#pending.push(record);
    this.#pendingBytes += record.length;
    if (this.#pendingBytes > MAX_PENDING_BYTES) this.#writePending();
  }

  /**
   * Resolves once every record appended so far is as durable as the mode promises: fsynced
   * (`full`) or handed to the kernel (`relaxed`). Concurrent callers share one flush.
   */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.#durability === 'relaxed') {
      try {
        this.#writePending();
        // A stream of writes may keep the event loop busy past the timer's due time: the write
        // path itself fsyncs once the oldest unsynced record has waited the whole interval.
        if (this.#unsyncedSince !== undefined && performance.now() - this.#unsyncedSince >= this.#relaxedIntervalMs)
          this.flushNow();
      } catch (error) {
        return Promise.reject(error);
      }
      this.#scheduleRelaxedSync();
      return Promise.resolve();
    }
    if (this.#syncedLength >= this.end) return Promise.resolve();
    if (this.#group === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#group = { promise, resolve, reject };
      // Run after the writes already queued in this turn have committed, so they share it.
      setImmediate(() => this.#flushGroup());
    }
    return this.#group.promise;
  }

  /** Writes and fsyncs everything appended so far, now, whatever the mode. */
  flush(): Promise<void> {
    try {
      this.flushNow();
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #flushGroup(): void {
    const group = this.#group;
    this.#group = undefined;
    if (group === undefined) return;
    try {
      this.flushNow();
      group.resolve();
    } catch (error) {
      group.reject(error);
    }
  }

  #scheduleRelaxedSync(): void {
    if (this.#relaxedTimer !== undefined || this.#syncedLength >= this.#fileLength) return;
    this.#relaxedTimer = setTimeout(() => {
      this.#relaxedTimer = undefined;
      try {
        this.flushNow();
      } catch {
        // Recorded in `failure`: the next write or sync reports it.
      }
    }, this.#relaxedIntervalMs);
    this.#relaxedTimer.unref();
  }

  /**
   * Writes the records held in memory to the file, without syncing them, so that another reader
   * of the file (a compaction's worker thread) sees every record appended so far.
   */
  writeOut(): void {
    this.#writePending();
  }

  /** Writes the records held in memory to the file (no fsync). */
  #writePending(): void {
    if (this.#pendingBytes === 0) return;
    if (this.failure) throw this.failure;
    const bytes = this.#pending.length === 1 ? this.#pending[0] : concat(this.#pending, this.#pendingBytes);
    try {
      writeFully(this.#fd, bytes, this.#fileLength);
    } catch (error) {
      throw this.#fail('write', error);
    }
    this.#fileLength += bytes.length;
    this.#unsyncedSince ??= performance.now();
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** Writes and fsyncs everything appended so far, synchronously. */
  flushNow(): void {
    this.#writePending();
    if (this.#syncedLength >= this.#fileLength) return;
    try {
      fs.fdatasyncSync(this.#fd);
    } catch (error) {
      throw this.#fail('fsync', error);
    }
    this.#syncedLength = this.#fileLength;
    this.#unsyncedSince = undefined;
  }

  /**
   * Replaces the file by one holding only the write records from offset `keepFrom` on (the
   * ones a new snapshot does not hold), bound to that snapshot (`base`), atomically: the new
   * file is written and synced beside it, then renamed over it. The encoder's dictionary must
   * have been reset at `keepFrom`.
   */
  rotate(keepFrom: number, base: Fingerprint): void {
    this.flushNow();
    const { bytes, headerLength } = this.#standalone(keepFrom, this.#fileLength, base);
    const tmpPath = `${this.path}.tmp`;
    const fd = fs.openSync(tmpPath, 'w+');
    try {
      writeFully(fd, bytes, 0);
      fs.fdatasyncSync(fd);
      fs.renameSync(tmpPath, this.path);
    } catch (error) {
      abandon(fd, tmpPath);
      throw error;
    }
    this.#switchTo(fd, headerLength, bytes.length);
  }

  /**
   * {@link rotate}, with most of the work done off the main thread: the records written so far
   * are copied to the new file, which is synced, while writes go on; then, synchronously, the
   * records appended meanwhile are copied too (synced, if there are any), and the new file is
   * renamed over the old one.
   */
  async rotateInBackground(keepFrom: number, base: Fingerprint): Promise<void> {
    this.#writePending();
    const copiedUntil = this.#fileLength;
    const { bytes, headerLength } = this.#standalone(keepFrom, copiedUntil, base);
    const tmpPath = `${this.path}.tmp`;
    const fd = fs.openSync(tmpPath, 'w+');
    let length = bytes.length;
    try {
      await writeFullyAsync(fd, bytes, 0);
      await promisify(fs.fdatasync)(fd);
      // From here on all is synchronous: no record can be appended between the copy and the switch.
      this.#writePending();
      if (this.#fileLength > copiedUntil) {
        const more = this.#read(copiedUntil, this.#fileLength);
        writeFully(fd, more, length);
        length += more.length;
        fs.fdatasyncSync(fd);
      }
      fs.renameSync(tmpPath, this.path);
    } catch (error) {
      abandon(fd, tmpPath);
      throw error;
    }
    this.#switchTo(fd, headerLength, length);
  }

  /** The file's bytes from `from` to `to` (written, not necessarily synced). */
  #read(from: number, to: number): Uint8Array {
    const bytes = Buffer.alloc(to - from);
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(this.#fd, bytes, read, bytes.length - read, from + read);
      if (n === 0) throw new Error(`${this.path}: shorter than expected`);
      read += n;
    }
    return bytes;
  }

  /** A new log bound to `base`, holding the write records from `keepFrom` to `until`. */
  #standalone(keepFrom: number, until: number, base: Fingerprint): { bytes: Uint8Array; headerLength: number } {
    const header = encodeLogHeader(base);
    const standalone = concat([header, this.#read(keepFrom, until)], header.length + until - keepFrom);
    const source = bytesSource(standalone);
    const scan = scanLog(source);
    if (scan.discardedBytes !== 0) throw new Error(`${this.path}: the records after a snapshot do not stand alone`);
    const kept = [...readRecords(source, header.length, scan.validEnd)].filter((r) => r.record.type === 'writes');
    const parts = [header, ...kept.map((r) => standalone.subarray(r.offset, r.end))];
    return {
      bytes: concat(
        parts,
        parts.reduce((n, p) => n + p.length, 0),
      ),
      headerLength: header.length,
    };
  }

  /**
   * Makes `fd`, just renamed over the log and synced up to `length` (its header `headerLength`
   * long), the log from now on; the old one is unlinked. Syncs the directory: until then the
   * rename, and with it the records appended from now on, may not survive a power loss.
   */
  #switchTo(fd: number, headerLength: number, length: number): void {
    const old = this.#fd;
    this.#fd = fd;
    this.#headerLength = headerLength;
    this.#fileLength = length;
    this.#syncedLength = length;
    this.#unsyncedSince = undefined;
    try {
      fs.closeSync(old);
    } catch {
      // Nothing more is written to it.
    }
    try {
      fsyncDirectory(nodePath.dirname(this.path));
    } catch (error) {
      // The rename may not survive a power loss, and with it the records appended from now on.
      throw this.#fail('directory fsync', error);
    }
  }

  /** Syncs what is pending and closes the file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#relaxedTimer !== undefined) clearTimeout(this.#relaxedTimer);
    this.#relaxedTimer = undefined;
    try {
      if (this.failure === undefined) this.flushNow();
    } finally {
      this.#flushGroup();
      fs.closeSync(this.#fd);
    }
  }

  /**
   * Records that the file failed: the records not yet durable may or may not be in it (a write
   * or fsync that fails leaves the file in an unknown state), so the writes waiting for them
   * learn that their outcome is unknown, and the log takes nothing more.
   */
  #fail(what: string, error: unknown): WriteOutcomeUnknownError {
    const reason =
      (error as NodeJS.ErrnoException)?.code === 'ENOSPC'
        ? 'no space left on the device'
        : ((error as Error)?.message ?? String(error));
    this.failure ??= new WriteOutcomeUnknownError(
      `${this.path}: ${what} of the log failed (${reason}): the outcome of the writes waiting for it is unknown (they may or may not be found after reopening), and later writes are refused; reopen the store`,
      error,
    );
    return this.failure;
  }
}

/** Closes and removes a new log file that will not be used. */
function abandon(fd: number, path: string): void {
  fs.closeSync(fd);
  try {
    fs.unlinkSync(path);
  } catch {
    // Never created: nothing to clean.
  }
}

/** Writes all of `bytes` at `position`, off the main thread. */
async function writeFullyAsync(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  const write = promisify(fs.write);
  let done = 0;
  while (done < bytes.length) {
    done += (await write(fd, bytes, done, bytes.length - done, position + done)).bytesWritten;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
