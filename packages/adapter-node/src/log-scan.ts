/**
 * Reading a log (see `log-format.ts`) and judging its integrity, from a file in fixed-size
 * chunks (a log may be larger than any single read, or than memory) or from bytes in memory.
 *
 * A log is appended to at its end only, so after a crash it is a run of intact records followed
 * by at most one record the crash cut short: a *torn tail*, never acknowledged, dropped on open.
 * A bad record (cut short, or failing its checksum) with intact records after it is something
 * else: *damage* in the middle of the log, and the records after it may be acknowledged writes.
 * To tell the two apart, the bytes after the first bad record are searched for intact records.
 */
import * as fs from 'node:fs';
import { crc32 } from './crc32.js';
import {
  decodeLogHeader,
  decodeRecord,
  type LogHeader,
  type LogRecord,
  RECORD_FRAME,
  type ScannedRecord,
} from './log-format.js';

/** Sequential, forward access to a log's bytes. */
interface ByteSource {
  /** The log's length in bytes. */
  readonly size: number;
  /**
   * `length` bytes from `offset` (which must lie within the log). The view is only valid until
   * the next call: copy what must outlive it.
   */
  view(offset: number, length: number): Uint8Array;
}

/** Bytes in memory as a {@link ByteSource}. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, view: (offset, length) => bytes.subarray(offset, offset + length) };
}

/** The default read size of {@link fileSource}. */
const CHUNK = 1 << 20;

/**
 * An open file as a {@link ByteSource}, read in chunks of `chunk` bytes (more when one record is
 * larger): no single read of the whole file, whatever its size.
 */
export function fileSource(fd: number, size: number, chunk = CHUNK): ByteSource {
  let buffer = new Uint8Array(chunk);
  let start = 0;
  let end = 0;
  return {
    size,
    view(offset, length) {
      if (offset < start || offset + length > end) {
        if (length > buffer.length) buffer = new Uint8Array(Math.max(length, buffer.length * 2));
        const n = Math.min(buffer.length, size - offset);
        let read = 0;
        while (read < n) {
          const got = fs.readSync(fd, buffer, read, n - read, offset + read);
          if (got === 0) throw new Error(`the log is shorter than ${offset + n} bytes (was it changed while open?)`);
          read += got;
        }
        start = offset;
        end = offset + n;
      }
      return buffer.subarray(offset - start, offset - start + length);
    },
  };
}

/** What {@link scanLog} found. */
export interface LogSummary {
  /** The header, or why there is none: `short` (a crash while the log was created), `bad`. */
  readonly header: LogHeader | 'short' | 'bad';
  /** Intact records in the run from the header on. */
  readonly records: number;
  /** The snapshot markers among them. */
  readonly markers: readonly ScannedRecord[];
  /** Offset just after the last intact record of the run. */
  readonly validEnd: number;
  /** Bytes after `validEnd`. */
  readonly discardedBytes: number;
  /**
   * What follows the run: `none`; `torn`, a record that runs past the end of the file (cut
   * short); `corrupt`, a whole record that fails its checksum or does not decode.
   */
  readonly tail: 'none' | 'torn' | 'corrupt';
  /** Intact records found after the first bad one: more than 0 means damage, not a torn tail. */
  readonly intactAfter: number;
}

type Frame = { kind: 'ok'; end: number; record: LogRecord } | { kind: 'torn' } | { kind: 'corrupt'; end: number };

/** Reads the record at `offset`, decoding it with `dictionary`. */
function frameAt(source: ByteSource, offset: number, dictionary: Map<number, string>): Frame {
  if (offset + RECORD_FRAME > source.size) return { kind: 'torn' };
  const head = source.view(offset, RECORD_FRAME);
  const length = new DataView(head.buffer, head.byteOffset, RECORD_FRAME).getUint32(0, true);
  const end = offset + RECORD_FRAME + length;
  if (end > source.size) return { kind: 'torn' };
  const frame = source.view(offset, RECORD_FRAME + length);
  if (!checksumMatches(frame)) return { kind: 'corrupt', end };
  const record = decodeRecord(frame, RECORD_FRAME, frame.length, dictionary);
  return record === undefined ? { kind: 'corrupt', end } : { kind: 'ok', end, record };
}

function checksumMatches(frame: Uint8Array): boolean {
  const view = new DataView(frame.buffer, frame.byteOffset, RECORD_FRAME);
  return view.getUint32(4, true) === crc32(frame.subarray(RECORD_FRAME), crc32(frame.subarray(0, 4)));
}

/**
 * Whether an intact record starts at `offset`, judged by its frame alone (its SQL dictionary
 * may lie in the damage before it). Cheap tests first, so that searching damaged bytes rarely
 * computes a checksum: the payload must start with a known record type, and a marker has a
 * fixed length.
 */
function intactFrameAt(source: ByteSource, offset: number): number | undefined {
  if (offset + RECORD_FRAME + 1 > source.size) return undefined;
  const head = source.view(offset, RECORD_FRAME + 1);
  const length = new DataView(head.buffer, head.byteOffset, RECORD_FRAME).getUint32(0, true);
  const type = head[RECORD_FRAME];
  if (length < 1 || offset + RECORD_FRAME + length > source.size) return undefined;
  if (!(type === 1 && length >= 3) && !(type === 2 && length === 21)) return undefined;
  return checksumMatches(source.view(offset, RECORD_FRAME + length)) ? offset + RECORD_FRAME + length : undefined;
}

/** Counts the intact records after a bad one at `bad`, searching the bytes after it. */
function countIntactAfter(source: ByteSource, bad: number): number {
  let count = 0;
  let offset = bad + 1;
  while (offset < source.size) {
    const end = intactFrameAt(source, offset);
    if (end === undefined) {
      offset++;
      continue;
    }
    count++;
    offset = end;
  }
  return count;
}

/**
 * Reads a whole log, checking every record, keeping only the snapshot markers: the first pass
 * of recovery, which decides what may be replayed before anything is.
 */
export function scanLog(source: ByteSource): LogSummary {
  const header = decodeLogHeader(source.view(0, Math.min(source.size, 24)));
  if (typeof header === 'string') {
    return { header, records: 0, markers: [], validEnd: 0, discardedBytes: source.size, tail: 'none', intactAfter: 0 };
  }
  const dictionary = new Map<number, string>();
  const markers: ScannedRecord[] = [];
  let records = 0;
  let offset = header.length;
  let tail: LogSummary['tail'] = 'none';
  while (offset < source.size) {
    const frame = frameAt(source, offset, dictionary);
    if (frame.kind !== 'ok') {
      tail = frame.kind;
      break;
    }
    records++;
    if (frame.record.type === 'snapshot') markers.push({ offset, end: frame.end, record: frame.record });
    offset = frame.end;
  }
  const intactAfter = tail === 'none' ? 0 : countIntactAfter(source, offset);
  return { header, records, markers, validEnd: offset, discardedBytes: source.size - offset, tail, intactAfter };
}

/**
 * The records from `from` to `until` (the end of a run {@link scanLog} checked), decoded one by
 * one as they are read. `from` must be where the SQL dictionary starts afresh: just after the
 * header, or the `covered` offset of a snapshot marker.
 */
export function* readRecords(source: ByteSource, from: number, until: number): Generator<ScannedRecord> {
  const dictionary = new Map<number, string>();
  let offset = from;
  while (offset < until) {
    const frame = frameAt(source, offset, dictionary);
    if (frame.kind !== 'ok') throw new Error(`the log changed while it was read (at byte ${offset})`);
    yield { offset, end: frame.end, record: frame.record };
    offset = frame.end;
  }
}
