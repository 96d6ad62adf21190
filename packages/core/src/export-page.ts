/**
 * One page of every live entry in the database, in (group, key) order, with its expiry: what
 * a dump streams. Keyset pagination across groups keeps each read small whatever the size of
 * the database.
 */
import type { SqlDriver } from './driver.js';
import { SELECT_ENTRIES_AFTER, SELECT_FIRST_ENTRIES } from './sql.js';

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
