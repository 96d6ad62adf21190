/**
 * How large a database the sql.js engine can hold and reopen, and the check that keeps every
 * acknowledged write within it.
 *
 * The database is read whole into memory on open, and Node reads at most 2 GiB in one file
 * read; sql.js then keeps it in its in-memory file system, and a compaction exports a copy of
 * it. A write that would take the database past the limit is refused before it takes effect,
 * so nothing acknowledged is ever a database that cannot be reopened. (The log has no such
 * limit: it is read in chunks.)
 */
import type { SqlValue } from '@go-store/core';
import { DatabaseTooLargeError } from './errors.js';

/**
 * The largest database file the sql.js engine accepts: 2 GiB (the most one file read returns),
 * less 64 MiB of head room for the pages a write may add beyond what is measured.
 */
export const MAX_DATABASE_BYTES = 2 * 1024 ** 3 - 64 * 1024 ** 2;

/** Pages a single statement may add besides its data (B-tree splits in the table and index). */
const SPLIT_PAGES = 16;

/** At most what a statement with `params` adds: its data twice (table and index), and some pages. */
function growthBound(params: readonly SqlValue[], pageSize: number, textBytes: (text: string) => number): number {
  let bytes = 0;
  for (const p of params) {
    if (typeof p === 'string') bytes += textBytes(p);
    else if (p instanceof Uint8Array) bytes += p.length;
    else bytes += 9;
  }
  return 2 * bytes + SPLIT_PAGES * pageSize;
}

/** How to ask the native engine instead: said in every refusal. */
export const NATIVE_HINT =
  "open it with the native engine, openStore(path, { engine: 'native' }), which has no such limit";

/**
 * Refuses writes that could take the database past `limit` bytes. Each write is admitted on an
 * upper bound of what it can add (its parameters' bytes, twice over for the table and its
 * index, plus some pages), so that the exact size, which takes a query, is only measured when
 * the bounds added up come near the limit.
 */
export class SizeGuard {
  readonly #limit: number;
  readonly #measure: () => number;
  readonly #name: string;
  #measured: number;
  #growth = 0;

  /**
   * `measure` returns the bytes the database's pages in use take now (free pages are reused
   * before the file grows); `name` is the file, for messages.
   */
  constructor(limit: number, measure: () => number, name: string) {
    this.#limit = limit;
    this.#measure = measure;
    this.#name = name;
    this.#measured = measure();
  }

  /** Throws {@link DatabaseTooLargeError} when a statement with `params` could pass the limit. */
  admit(params: readonly SqlValue[], pageSize: number): void {
    let bound = growthBound(params, pageSize, (text) => text.length * 3);
    if (this.#measured + this.#growth + bound <= this.#limit) {
      this.#growth += bound;
      return;
    }
    bound = growthBound(params, pageSize, (text) => Buffer.byteLength(text));
    this.#measured = this.#measure();
    this.#growth = 0;
    if (this.#measured + bound > this.#limit) {
      throw new DatabaseTooLargeError(
        `${this.#name}: write refused (nothing was written): it could take the database (${this.#measured} bytes) past ${this.#limit} bytes, the largest the sql.js engine can reopen${this.#limit < MAX_DATABASE_BYTES ? ' here (maxDatabaseBytes)' : ''}; delete data, or ${NATIVE_HINT}`,
        this.#limit,
      );
    }
    this.#growth = bound;
  }
}
