/**
 * The byte format of the write log (`<database>.gslog`): pure encoding and decoding, no I/O.
 *
 * ```
 * file    := header record*
 * header  := "GSLOG/2\n" base-length:f64 base-crc:u32 crc:u32   (24 bytes; crc of the 20 before it)
 *          | "GSLOG/1\n"                                   (8 bytes: logs of earlier versions, read only)
 * record  := length:u32le  crc:u32le  payload[length]       crc = CRC-32(length bytes ++ payload)
 * payload := 0x01 flags:u8 count:varint statement*          a committed write (flags bit 0: transaction)
 *          | 0x02 covered:f64 length:f64 crc:u32             a snapshot marker, see below
 * statement := op:u8 sqlref:varint [sqllen:varint utf8] [n:varint param*]   params for op 0 only
 * op      := 0 run | 1 exec | 2 exec that failed part-way (replay expects, and ignores, its error)
 * sqlref  := id << 1 | defines                              the SQL text follows when `defines` is 1
 * param   := 0x00 | 0x01 f64 | 0x02 i64 | 0x03 len utf8 | 0x04 len bytes     null, number, bigint, text, blob
 * ```
 *
 * The header binds the log to its database: `base` is the length and CRC-32 of the database
 * file the log's records apply to (the file as it was when the log was started). A log whose
 * base is not the database file beside it (and none of whose snapshot markers is) belongs to
 * another database, or to an older or newer copy of this one, and is never replayed onto it.
 *
 * SQL texts are interned: the first record that uses a statement carries its text with an id,
 * later ones only the id. The store uses a handful of statements, so a write record is mostly
 * its parameters. The dictionary restarts (ids from 0) when a compaction starts, so that the
 * records after a snapshot's position never depend on records before it.
 *
 * A snapshot marker says: "a snapshot of the database holding every record before file offset
 * `covered` was written, `length` bytes with CRC-32 `crc`, and is about to replace the database
 * file". On open, if the database file is that snapshot, the records before `covered` are
 * already in it and are skipped.
 */
import type { SqlValue } from '@go-store/core';
import { crc32 } from './crc32.js';

const MAGIC_V1 = new TextEncoder().encode('GSLOG/1\n');
const MAGIC_V2 = new TextEncoder().encode('GSLOG/2\n');

/** The header of logs written by earlier versions (no binding to the database); still read. */
export const LEGACY_LOG_HEADER: Uint8Array = MAGIC_V1;

/** The length of the header this version writes. */
const LOG_HEADER_LENGTH = 24;

/** The database file a log applies to: its length and CRC-32. */
export interface Fingerprint {
  readonly length: number;
  readonly crc: number;
}

/** A decoded log header. Version 1 logs (earlier versions) carry no base. */
export type LogHeader =
  | { readonly version: 1; readonly length: number }
  | { readonly version: 2; readonly length: number; readonly base: Fingerprint };

/** The header of a new log whose records apply to the database file with fingerprint `base`. */
export function encodeLogHeader(base: Fingerprint): Uint8Array {
  const out = new Uint8Array(LOG_HEADER_LENGTH);
  const view = new DataView(out.buffer);
  out.set(MAGIC_V2, 0);
  view.setFloat64(8, base.length, true);
  view.setUint32(16, base.crc, true);
  view.setUint32(20, crc32(out.subarray(0, 20)), true);
  return out;
}

/**
 * Decodes a log's header from its first bytes: `'short'` when the file is shorter than any
 * header (a crash while the log was being created: it never held a record), `'bad'` when the
 * bytes are not a valid header.
 */
export function decodeLogHeader(bytes: Uint8Array): LogHeader | 'short' | 'bad' {
  const starts = (magic: Uint8Array) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(MAGIC_V1)) return { version: 1, length: MAGIC_V1.length };
  if (!starts(MAGIC_V2))
    return bytes.length < LOG_HEADER_LENGTH && MAGIC_V2.subarray(0, bytes.length).every((b, i) => bytes[i] === b)
      ? 'short'
      : 'bad';
  if (bytes.length < LOG_HEADER_LENGTH) return 'short';
  const view = new DataView(bytes.buffer, bytes.byteOffset, LOG_HEADER_LENGTH);
  if (view.getUint32(20, true) !== crc32(bytes.subarray(0, 20))) return 'bad';
  return {
    version: 2,
    length: LOG_HEADER_LENGTH,
    base: { length: view.getFloat64(8, true), crc: view.getUint32(16, true) },
  };
}

/** Bytes of framing before each record's payload. */
export const RECORD_FRAME = 8;

const TYPE_WRITES = 1;
const TYPE_SNAPSHOT = 2;
const FLAG_TRANSACTION = 1;
const OP_RUN = 0;
const OP_EXEC = 1;
const OP_EXEC_PARTIAL = 2;
const P_NULL = 0;
const P_NUMBER = 1;
const P_BIGINT = 2;
const P_TEXT = 3;
const P_BLOB = 4;

/** One statement as it was executed: replaying it gives the same effect. */
export interface LoggedStatement {
  /**
   * `run` (one statement with parameters), `exec` (parameterless SQL, maybe several
   * statements) or `exec-partial`: an `exec` that failed after some of its statements had taken
   * effect, which replay repeats, to the same error, for the same partial effect.
   */
  readonly op: 'run' | 'exec' | 'exec-partial';
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** A decoded record. */
export type LogRecord =
  | { readonly type: 'writes'; readonly transaction: boolean; readonly statements: readonly LoggedStatement[] }
  | { readonly type: 'snapshot'; readonly covered: number; readonly imageLength: number; readonly imageCrc: number };

/** A record with the file offsets it spans. */
export interface ScannedRecord {
  readonly offset: number;
  readonly end: number;
  readonly record: LogRecord;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A growable byte buffer. */
class ByteWriter {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  u32(value: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, value, true);
    this.length += 4;
  }

  f64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  i64(value: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.length, value, true);
    this.length += 8;
  }

  varint(value: number): void {
    this.reserve(8);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  /** Length-prefixed UTF-8. */
  text(value: string): void {
    // Encode into spare room first (UTF-8 needs at most 3 bytes per UTF-16 unit), then write
    // the length in front: the varint takes at most 5 bytes for any string that fits.
    this.reserve(5 + value.length * 3);
    const start = this.length + 5;
    const { written } = encoder.encodeInto(value, this.bytes.subarray(start));
    const lengthStart = this.length;
    this.varint(written);
    const prefix = this.length - lengthStart;
    if (prefix !== 5) this.bytes.copyWithin(lengthStart + prefix, start, start + written);
    this.length = lengthStart + prefix + written;
  }

  blob(value: Uint8Array): void {
    this.varint(value.length);
    this.reserve(value.length);
    this.bytes.set(value, this.length);
    this.length += value.length;
  }
}

/** Thrown by the reader on malformed payloads; never escapes {@link decodeRecord}. */
class Malformed extends Error {}

class ByteReader {
  offset: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
    start: number,
    readonly end: number,
  ) {
    this.offset = start;
  }

  need(n: number): void {
    if (this.offset + n > this.end) throw new Malformed('truncated');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }

  i64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    return v;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 0x80;
    }
    throw new Malformed('varint too long');
  }

  raw(): Uint8Array {
    const n = this.varint();
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  text(): string {
    try {
      return decoder.decode(this.raw());
    } catch (error) {
      if (error instanceof Malformed) throw error;
      throw new Malformed('bad UTF-8');
    }
  }
}

/**
 * Encodes records for one log file. Holds the SQL dictionary of the records written so far.
 */
export class LogEncoder {
  readonly #sqlIds = new Map<string, number>();
  readonly #out = new ByteWriter();

  /** Forgets the dictionary: later records define their SQL again, from id 0. */
  resetDictionary(): void {
    this.#sqlIds.clear();
  }

  /** A framed record of committed statements (`transaction`: they ran between begin and commit). */
  writes(statements: readonly LoggedStatement[], transaction: boolean): Uint8Array {
    const out = this.#begin();
    out.u8(TYPE_WRITES);
    out.u8(transaction ? FLAG_TRANSACTION : 0);
    out.varint(statements.length);
    for (const s of statements) {
      out.u8(s.op === 'run' ? OP_RUN : s.op === 'exec' ? OP_EXEC : OP_EXEC_PARTIAL);
      let id = this.#sqlIds.get(s.sql);
      if (id === undefined) {
        id = this.#sqlIds.size;
        this.#sqlIds.set(s.sql, id);
        out.varint(id * 2 + 1);
        out.text(s.sql);
      } else {
        out.varint(id * 2);
      }
      if (s.op === 'run') {
        out.varint(s.params.length);
        for (const p of s.params) encodeParam(out, p);
      }
    }
    return this.#finish();
  }

  /** A framed snapshot marker. */
  snapshot(covered: number, imageLength: number, imageCrc: number): Uint8Array {
    const out = this.#begin();
    out.u8(TYPE_SNAPSHOT);
    out.f64(covered);
    out.f64(imageLength);
    out.u32(imageCrc);
    return this.#finish();
  }

  #begin(): ByteWriter {
    this.#out.length = RECORD_FRAME;
    return this.#out;
  }

  #finish(): Uint8Array {
    const { bytes, view, length } = this.#out;
    const payload = length - RECORD_FRAME;
    if (payload > 0xffffffff) throw new RangeError('log record larger than 4 GiB');
    view.setUint32(0, payload, true);
    const crc = crc32(bytes.subarray(RECORD_FRAME, length), crc32(bytes.subarray(0, 4)));
    view.setUint32(4, crc, true);
    return bytes.slice(0, length);
  }
}

function encodeParam(out: ByteWriter, p: SqlValue): void {
  if (p === null || p === undefined) out.u8(P_NULL);
  else if (typeof p === 'number') {
    out.u8(P_NUMBER);
    out.f64(p);
  } else if (typeof p === 'string') {
    out.u8(P_TEXT);
    out.text(p);
  } else if (typeof p === 'bigint') {
    out.u8(P_BIGINT);
    out.i64(p);
  } else if (p instanceof Uint8Array) {
    out.u8(P_BLOB);
    out.blob(p);
  } else {
    throw new TypeError(`cannot log a parameter of type ${typeof p}`);
  }
}

/**
 * Decodes the payload of a record whose checksum matched (`bytes[start..end)`), defining and
 * resolving SQL texts in `dictionary`; `undefined` when it does not decode (damage that the
 * checksum missed, or a record of an unknown kind).
 */
export function decodeRecord(
  bytes: Uint8Array,
  start: number,
  end: number,
  dictionary: Map<number, string>,
): LogRecord | undefined {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return decodePayload(new ByteReader(bytes, view, start, end), dictionary);
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
}

function decodePayload(r: ByteReader, dictionary: Map<number, string>): LogRecord {
  const type = r.u8();
  if (type === TYPE_SNAPSHOT) {
    const covered = r.f64();
    const imageLength = r.f64();
    const imageCrc = r.u32();
    if (r.offset !== r.end) throw new Malformed('trailing bytes');
    return { type: 'snapshot', covered, imageLength, imageCrc };
  }
  if (type !== TYPE_WRITES) throw new Malformed(`unknown record type ${type}`);
  const transaction = (r.u8() & FLAG_TRANSACTION) !== 0;
  const count = r.varint();
  const statements: LoggedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const op = r.u8();
    if (op !== OP_RUN && op !== OP_EXEC && op !== OP_EXEC_PARTIAL) throw new Malformed(`unknown op ${op}`);
    const ref = r.varint();
    const id = Math.floor(ref / 2);
    let sql: string | undefined;
    if (ref % 2 === 1) {
      sql = r.text();
      dictionary.set(id, sql);
    } else {
      sql = dictionary.get(id);
      if (sql === undefined) throw new Malformed(`undefined statement ${id}`);
    }
    const params: SqlValue[] = [];
    if (op === OP_RUN) {
      const n = r.varint();
      for (let j = 0; j < n; j++) params.push(decodeParam(r));
    }
    statements.push({ op: op === OP_RUN ? 'run' : op === OP_EXEC ? 'exec' : 'exec-partial', sql, params });
  }
  if (r.offset !== r.end) throw new Malformed('trailing bytes');
  return { type: 'writes', transaction, statements };
}

function decodeParam(r: ByteReader): SqlValue {
  const tag = r.u8();
  switch (tag) {
    case P_NULL:
      return null;
    case P_NUMBER:
      return r.f64();
    case P_BIGINT:
      return r.i64();
    case P_TEXT:
      return r.text();
    case P_BLOB:
      return r.raw().slice();
    default:
      throw new Malformed(`unknown parameter tag ${tag}`);
  }
}
