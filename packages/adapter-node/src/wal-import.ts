/**
 * Folds the committed frames of an SQLite write-ahead log (`<database>-wal`) into the
 * database's bytes, as SQLite's own recovery would, without touching either file.
 *
 * go-store keeps its databases in WAL mode, and after a crash (or while it runs) its latest
 * commits may live only in the `-wal` file; sql.js reads a single file, so without this step
 * those commits would be silently missing. The format is that of sqlite.org/fileformat2.html §4:
 *
 * - a 32-byte header: magic (0x377f0682 little-endian checksums, 0x377f0683 big-endian),
 *   format version, page size, checkpoint sequence, two salts, and a checksum of its first
 *   24 bytes;
 * - frames of a 24-byte header (page number, database size in pages for a commit frame or 0,
 *   the two salts, a running checksum) followed by one page.
 *
 * A frame is valid while its salts match the header's and its running checksum (seeded by the
 * previous frame's) matches. The first invalid frame ends the log: frames after it belong to an
 * earlier generation of the file or were never completely written. Only frames up to the last
 * valid commit frame count; the frames of a transaction that had not committed are ignored.
 */

/** What {@link foldWal} did. */
interface WalFold {
  /** The database image with every committed frame applied. */
  readonly image: Uint8Array;
  /** Valid frames up to and including the last commit frame (the ones applied). */
  readonly committedFrames: number;
  /** Valid frames after the last commit frame: an unfinished transaction, ignored. */
  readonly uncommittedFrames: number;
}

/** Why a `-wal` file could not be used. */
export class WalFormatError extends Error {}

const WAL_HEADER = 32;
const FRAME_HEADER = 24;
const MAGIC_LE = 0x377f0682;
const MAGIC_BE = 0x377f0683;
const WAL_VERSION = 3007000;

/**
 * The page size of a database image from its header (bytes 16–17; 1 means 65536), or
 * `undefined` when the value is not a valid SQLite page size.
 */
export function databasePageSize(image: Uint8Array): number | undefined {
  if (image.length < 100) return undefined;
  const raw = (image[16] << 8) | image[17];
  const size = raw === 1 ? 65536 : raw;
  return isPageSize(size) ? size : undefined;
}

function isPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * SQLite's WAL checksum over `data` (a multiple of 8 bytes) seeded with `s0`, `s1`: 32-bit
 * words in the byte order the magic number chose.
 */
function walChecksum(
  view: DataView,
  start: number,
  length: number,
  bigEndian: boolean,
  seed: [number, number],
): [number, number] {
  let s0 = seed[0];
  let s1 = seed[1];
  const le = !bigEndian;
  for (let i = start; i < start + length; i += 8) {
    s0 = (s0 + view.getUint32(i, le) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, le) + s0) >>> 0;
  }
  return [s0, s1];
}

/**
 * Applies the committed frames of `wal` to `main` (the database file's bytes; may be empty).
 * Returns `undefined` when `wal` holds no usable log (too short, bad magic or header checksum):
 * SQLite ignores such a file too. Throws {@link WalFormatError} when the log is valid but cannot
 * belong to this database (its page size differs).
 */
export function foldWal(main: Uint8Array, wal: Uint8Array): WalFold | undefined {
  if (wal.length < WAL_HEADER) return undefined;
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== MAGIC_LE && magic !== MAGIC_BE) return undefined;
  const bigEndian = magic === MAGIC_BE;
  if (view.getUint32(4, false) !== WAL_VERSION) return undefined;
  const pageSize = view.getUint32(8, false);
  if (!isPageSize(pageSize)) return undefined;
  const salt1 = view.getUint32(16, false);
  const salt2 = view.getUint32(20, false);
  let checksum = walChecksum(view, 0, 24, bigEndian, [0, 0]);
  if (checksum[0] !== view.getUint32(24, false) || checksum[1] !== view.getUint32(28, false)) return undefined;

  const mainPageSize = databasePageSize(main);
  if (main.length > 0 && mainPageSize !== undefined && mainPageSize !== pageSize) {
    throw new WalFormatError(`its page size (${pageSize}) differs from the database's (${mainPageSize})`);
  }

  // Walk the valid frames, remembering where the last commit ended.
  const frameSize = FRAME_HEADER + pageSize;
  const frames: number[] = [];
  let lastCommit = -1;
  let committedPages = 0;
  for (let at = WAL_HEADER; at + frameSize <= wal.length; at += frameSize) {
    const page = view.getUint32(at, false);
    if (page === 0) break;
    if (view.getUint32(at + 8, false) !== salt1 || view.getUint32(at + 12, false) !== salt2) break;
    let next = walChecksum(view, at, 8, bigEndian, checksum);
    next = walChecksum(view, at + FRAME_HEADER, pageSize, bigEndian, next);
    if (next[0] !== view.getUint32(at + 16, false) || next[1] !== view.getUint32(at + 20, false)) break;
    checksum = next;
    frames.push(at);
    const dbSize = view.getUint32(at + 4, false);
    if (dbSize !== 0) {
      lastCommit = frames.length - 1;
      committedPages = dbSize;
    }
  }

  const uncommittedFrames = frames.length - (lastCommit + 1);
  if (lastCommit < 0) return { image: main, committedFrames: 0, uncommittedFrames };

  const image = new Uint8Array(committedPages * pageSize);
  image.set(main.subarray(0, Math.min(main.length, image.length)));
  for (let i = 0; i <= lastCommit; i++) {
    const at = frames[i];
    const page = view.getUint32(at, false);
    if (page > committedPages) continue;
    image.set(wal.subarray(at + FRAME_HEADER, at + frameSize), (page - 1) * pageSize);
  }
  return { image, committedFrames: lastCommit + 1, uncommittedFrames };
}
