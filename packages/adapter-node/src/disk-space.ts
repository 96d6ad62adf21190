/**
 * Free space, checked before a compaction: its snapshot takes as much space as the database,
 * and it must never take the last of it, which the log needs to keep acknowledging writes.
 */
import * as fs from 'node:fs';

/** Free space a compaction always leaves for the log. */
export const LOG_RESERVE_BYTES = 4 * 1024 * 1024;

/**
 * Bytes an unprivileged process may still write in `dir`'s file system; `Infinity` where the
 * runtime cannot tell (then compactions are simply tried, and a failure reported).
 */
export function freeBytes(dir: string): number {
  const statfs = (fs as { statfsSync?: typeof fs.statfsSync }).statfsSync;
  if (statfs === undefined) return Number.POSITIVE_INFINITY;
  try {
    const stats = statfs(dir);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
