/**
 * CRC-32 (IEEE 802.3, the polynomial of zlib, PNG and gzip).
 *
 * Node ships a native implementation from 20.15 on; earlier Node 20 releases fall back to a
 * table-driven one. Both give identical results, so files written by either read back.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, initial?: number) => number;

const native = (zlib as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

function crc32Table(): Uint32Array {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  return table;
}

function portableCrc32(data: Uint8Array, initial = 0): number {
  const t = crc32Table();
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** CRC-32 of `data`, continuing from `initial` (the CRC of the bytes before it). */
export const crc32: Crc32 = native ?? portableCrc32;

/** The table-driven implementation, exported so tests can check it against the native one. */
export { portableCrc32 };
