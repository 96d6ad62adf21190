/**
 * One page of every live entry in the database, in (group, key) order, with its expiry: what
 * a dump streams. Keyset pagination across groups keeps each read small whatever the size of
 * the database.
 */
import type { SqlDriver } from './driver.js';

// Row-value comparison walks the primary-key index from the last entry of the previous page.
const SELECT_FIRST_ENTRIES =
  'SELECT grp, key, value, expires_at FROM kv WHERE expires_at IS NULL OR expires_at > ?1 ORDER BY grp, key LIMIT ?2';
const SELECT_ENTRIES_AFTER =
  'SELECT grp, key, value, expires_at FROM kv WHERE (grp, key) > (?3, ?4) ' +
  'AND (expires_at IS NULL OR expires_at > ?1) ORDER BY grp, key LIMIT ?2';

/** A stored entry: its group, key, value and expiry (Unix ms, `null` for none). */
export interface StoredEntry {
  group: string;
  key: string;
  value: string;
  expiresAt: number | null;
}

/** Options of `exportPage`. */
export interface ExportPageOptions {
  /** Return entries after this one in (group, key) order; from the start when absent. */
  after?: { group: string; key: string };
  /** The most entries to return. */
  limit: number;
}

/** Reads one page of live entries after `after`, in (group, key) code-point order. */
export async function readEntriesPage(
  driver: SqlDriver,
  now: number,
  after: ExportPageOptions['after'],
  limit: number,
): Promise<StoredEntry[]> {
  const rows =
    after === undefined
      ? await driver.all(SELECT_FIRST_ENTRIES, [now, limit])
      : await driver.all(SELECT_ENTRIES_AFTER, [now, limit, after.group, after.key]);
  return rows.map((row) => ({
    group: row[0] as string,
    key: row[1] as string,
    value: row[2] as string,
    expiresAt: row[3] === null ? null : Number(row[3]),
  }));
}
