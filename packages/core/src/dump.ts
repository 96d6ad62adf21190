/**
 * Dump and load: a database as JSON Lines. The first line is the header `{"goStoreDump":1}`;
 * each following line is one live entry, `{"group","key","value","expiresAt"}` (`expiresAt` in
 * Unix ms, or `null` for no expiry), in (group, key) code-point order.
 *
 * A dump is streamed a page at a time, so its memory use does not grow with the database. A
 * load is one transaction: a malformed line rejects naming its line number and nothing changes.
 */
import { InvalidArgumentError } from './errors.js';
import type { ExportPageOptions, StoredEntry } from './export-page.js';
import type { Store } from './store.js';

/** The first line of every dump. */
export const DUMP_HEADER = '{"goStoreDump":1}';

/** The dump format version this library writes and reads. */
const DUMP_VERSION = 1;

/** How many entries a dump reads per round trip, unless told otherwise. */
const DEFAULT_PAGE_SIZE = 1000;

/** How many consecutive entries of one group and expiry a load writes per call. */
const LOAD_BATCH = 500;

const ENTRY_FIELDS = ['group', 'key', 'value', 'expiresAt'];

/** What {@link dump} reads from: a store, or a transaction when the dump must be a snapshot. */
export interface Exportable {
  exportPage(options: ExportPageOptions): Promise<StoredEntry[]>;
}

/** Options of {@link dump}. */
export interface DumpOptions {
  /** Entries read per round trip to the engine (default 1000). */
  pageSize?: number;
}

/** Options of {@link load}. */
export interface LoadOptions {
  /** Empty the database first, in the same transaction as the load. */
  replace?: boolean;
}

/**
 * The database as JSON Lines, one line per yielded string (without its newline): the header,
 * then every live entry in (group, key) order. Pages are read one at a time, so writes made
 * meanwhile may or may not appear; dump inside `store.transaction` (passing `tx`) for a
 * snapshot, at the cost of holding the store for the whole dump.
 *
 * @example
 * ```ts
 * for await (const line of dump(store)) process.stdout.write(`${line}\n`);
 * ```
 */
export async function* dump(store: Exportable, options: DumpOptions = {}): AsyncGenerator<string, void, undefined> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw new InvalidArgumentError(`dump: pageSize must be a positive integer, got ${String(pageSize)}`);
  }
  yield DUMP_HEADER;
  let after: ExportPageOptions['after'];
  for (;;) {
    const page = await store.exportPage(after === undefined ? { limit: pageSize } : { after, limit: pageSize });
    for (const entry of page) yield formatEntry(entry);
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    after = { group: last.group, key: last.key };
  }
}

/** One entry as a dump line. */
export function formatEntry(entry: StoredEntry): string {
  return JSON.stringify({ group: entry.group, key: entry.key, value: entry.value, expiresAt: entry.expiresAt });
}

/**
 * Loads a dump into the store, upserting each entry with its expiry, in one transaction:
 * either every line is applied or, when a line is malformed (or anything else fails), none
 * is, and the error names the line. Empty lines are skipped. With `replace`, the database is
 * emptied first, in the same transaction. Resolves to the number of entries loaded.
 *
 * @throws {InvalidArgumentError} `load: line N: …` for a malformed line or a missing header.
 *
 * @example
 * ```ts
 * import { createInterface } from 'node:readline';
 * const lines = createInterface({ input: fs.createReadStream('backup.jsonl'), crlfDelay: Infinity });
 * await load(store, lines);
 * ```
 */
export async function load(
  store: Store,
  lines: Iterable<string> | AsyncIterable<string>,
  options: LoadOptions = {},
): Promise<number> {
  if (lines === null || typeof lines !== 'object' || !(Symbol.asyncIterator in lines || Symbol.iterator in lines)) {
    throw new InvalidArgumentError('load: lines must be an iterable of strings');
  }
  return store.transaction(async (tx) => {
    if (options.replace === true) await tx.deletePrefix('');
    let lineNumber = 0;
    let sawHeader = false;
    let loaded = 0;
    let batch: StoredEntry[] = [];
    const flush = async (): Promise<void> => {
      const first = batch[0];
      if (first === undefined) return;
      const pairs = batch.map((entry): [string, string] => [entry.key, entry.value]);
      await tx.setMany(first.group, pairs, { expiresAt: first.expiresAt });
      loaded += batch.length;
      batch = [];
    };
    for await (const raw of lines) {
      lineNumber++;
      if (typeof raw !== 'string') throw malformed(lineNumber, 'not a string');
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') continue;
      if (!sawHeader) {
        checkHeader(lineNumber, line);
        sawHeader = true;
        continue;
      }
      const entry = parseEntry(lineNumber, line);
      const first = batch[0];
      if (
        first !== undefined &&
        (first.group !== entry.group || first.expiresAt !== entry.expiresAt || batch.length >= LOAD_BATCH)
      ) {
        await flush();
      }
      batch.push(entry);
    }
    if (!sawHeader) throw new InvalidArgumentError(`load: the input is empty: a dump starts with ${DUMP_HEADER}`);
    await flush();
    return loaded;
  });
}

function malformed(lineNumber: number, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`load: line ${lineNumber}: ${why}`);
}

function parseJson(lineNumber: number, line: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw malformed(lineNumber, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function checkHeader(lineNumber: number, line: string): void {
  const header = parseJson(lineNumber, line);
  if (header === null || typeof header !== 'object' || !('goStoreDump' in header)) {
    throw malformed(lineNumber, `expected the header ${DUMP_HEADER}`);
  }
  if (header.goStoreDump !== DUMP_VERSION) {
    throw malformed(
      lineNumber,
      `unsupported dump version ${JSON.stringify(header.goStoreDump)} (this reads ${DUMP_VERSION})`,
    );
  }
}

function parseEntry(lineNumber: number, line: string): StoredEntry {
  const value = parseJson(lineNumber, line);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw malformed(lineNumber, 'expected an object with group, key, value and expiresAt');
  }
  const record = value as Record<string, unknown>;
  for (const field of Object.keys(record)) {
    if (!ENTRY_FIELDS.includes(field)) throw malformed(lineNumber, `unexpected field ${JSON.stringify(field)}`);
  }
  for (const field of ['group', 'key', 'value']) {
    const text = record[field];
    if (typeof text !== 'string') throw malformed(lineNumber, `${field} must be a string`);
    if (!text.isWellFormed()) throw malformed(lineNumber, `${field} is not well-formed UTF-16`);
  }
  const expiresAt = record.expiresAt;
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt))) {
    throw malformed(lineNumber, 'expiresAt must be null or whole Unix milliseconds');
  }
  return {
    group: record.group as string,
    key: record.key as string,
    value: record.value as string,
    expiresAt,
  };
}
