/**
 * The data methods of the store and of a transaction: every read and write of the `kv` table,
 * with the TTL rules (a row is live while `expires_at` is NULL or in the future). Scoped writes
 * share {@link writeValue} and {@link writeMany}, which check a namespace's quota when given one.
 */
import { TemplateError as EngineTemplateError, renderTemplate } from '@go-store/template';
import type { DataApi, Entries, KeyValue, PageOptions, SetManyOptions } from './api.js';
import type { MaybePromise, SqlDriver, SqlRow, SqlValue } from './driver.js';
import { InvalidArgumentError, NotFoundError, TemplateError } from './errors.js';
import type { StoreEvent } from './events.js';
import type { Clock, Executor, ReadFn } from './executor.js';
import { type ExportPageOptions, readEntriesPage, type StoredEntry } from './export-page.js';
import { goFields, goSplit } from './go-strings.js';
import { then } from './maybe.js';
import { prefixUpperBound } from './prefix.js';
import { checkManyWithinQuota, type QuotaCheck, upsertWithinQuota } from './quota.js';
import {
  COUNT_GROUP,
  COUNT_LIVE_BY_GROUP_IN_RANGE,
  COUNT_RANGE,
  DELETE_EXPIRED_KEY,
  DELETE_GROUP,
  DELETE_KEY,
  DELETE_LIVE_GROUP,
  DELETE_LIVE_KEY,
  DELETE_RANGE,
  PURGE_EXPIRED,
  SELECT_GROUP_JSON,
  SELECT_GROUP_ROWS,
  SELECT_GROUPS_IN_RANGE,
  SELECT_LIVE_KEY,
  SELECT_PAGE_AFTER,
  SELECT_PAGE_FIRST,
  SELECT_VALUE,
  UPSERT,
} from './sql.js';
import { checkCount, checkExpiresAt, checkOptions, checkString, checkTtl } from './validate.js';

/** How many rows `all` fetches per round trip. */
const PAGE_SIZE = 500;

const NO_UPPER_BOUND: SqlValue = new Uint8Array(0);

/** One value to write; `ttl` null means no expiry (`set`), else `setWithTTL`'s argument. */
interface ValueWrite {
  group: string;
  key: string;
  value: string;
  ttl: { ttlMs: number } | null;
}

/**
 * The one write path of `set` and `setWithTTL`, scoped or not: checks the arguments, then
 * upserts (within `quota` when given) and stages a `set` event.
 */
export function writeValue(
  executor: Executor,
  op: string,
  write: ValueWrite,
  quota: QuotaCheck | undefined,
): Promise<void> {
  const { group, key, value, ttl } = write;
  try {
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    checkString(op, 'value', value);
    if (ttl !== null) checkTtl(op, ttl.ttlMs);
  } catch (error) {
    return Promise.reject(error);
  }
  return executor.write(
    op,
    (driver, clock, events) => {
      const expiresAt = ttl === null ? null : expiryFrom(clock(), ttl.ttlMs);
      const written =
        quota === undefined
          ? driver.run(UPSERT, [group, key, value, expiresAt])
          : upsertWithinQuota(op, driver, { group, key, value, expiresAt }, clock(), quota);
      if (events === null) return then(written, nothing);
      return then(written, () => {
        events.push(event('set', group, key, value, clock()));
      });
    },
    false,
    group,
    key,
  );
}

/** The one write path of `setMany`, scoped or not: all or nothing, quota included. */
export async function writeMany(
  executor: Executor,
  op: string,
  group: string,
  entries: Entries,
  options: SetManyOptions | undefined,
  quota: QuotaCheck | undefined,
): Promise<void> {
  checkString(op, 'group', group);
  checkOptions(op, options);
  const ttlMs = options?.ttlMs;
  if (ttlMs !== undefined) checkTtl(op, ttlMs);
  const at = options?.expiresAt;
  if (at !== undefined) checkExpiresAt(op, at, ttlMs);
  const pairs = toPairs(op, entries);
  return executor.write(
    op,
    async (driver, clock, events) => {
      if (quota !== undefined) await checkManyWithinQuota(op, driver, group, keysOf(pairs), clock(), quota);
      const expiresAt = at !== undefined ? at : ttlMs === undefined ? null : expiryFrom(clock(), ttlMs);
      for (const [key, value] of pairs) {
        await driver.run(UPSERT, [group, key, value, expiresAt]);
        events?.push(event('set', group, key, value, clock()));
      }
    },
    pairs.length > 0,
    group,
  );
}

function* keysOf(pairs: ReadonlyArray<readonly [string, string]>): Generator<string> {
  for (const [key] of pairs) yield key;
}

/**
 * The data methods of a store and of a transaction, written once against an {@link Executor}.
 */
export class Operations implements DataApi {
  readonly #executor: Executor;

  /** @internal Created by the store and by transactions. */
  constructor(executor: Executor) {
    this.#executor = executor;
  }

  /**
   * The value of a live key.
   * @throws {NotFoundError} when the key is absent or expired (an expired row is deleted).
   */
  get(group: string, key: string): Promise<string> {
    return this.#value(READ_GET, 'store.get', group, key);
  }

  /** Whether the key is live. */
  async has(group: string, key: string): Promise<boolean> {
    const op = 'store.has';
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    return this.#executor.read(
      op,
      (driver, clock) => then(driver.get(SELECT_LIVE_KEY, [group, key, clock()]), (row) => row !== undefined),
      group,
      key,
    );
  }

  set(group: string, key: string, value: string): Promise<void> {
    return writeValue(this.#executor, 'store.set', { group, key, value, ttl: null }, undefined);
  }

  setWithTTL(group: string, key: string, value: string, ttlMs: number): Promise<void> {
    return writeValue(this.#executor, 'store.setWithTTL', { group, key, value, ttl: { ttlMs } }, undefined);
  }

  /** Removes one key. Removing a missing key is not an error. */
  async delete(group: string, key: string): Promise<void> {
    const op = 'store.delete';
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    return this.#executor.write(
      op,
      (driver, clock, events) =>
        then(driver.run(DELETE_LIVE_KEY, [group, key, clock()]), (removed): MaybePromise<void> => {
          if (removed > 0) {
            events?.push(event('delete', group, key, '', clock()));
            return;
          }
          // An expired row left behind is invisible; remove it too, silently.
          return then(driver.run(DELETE_KEY, [group, key]), () => undefined);
        }),
      false,
      group,
      key,
    );
  }

  /** Removes every key of a group. */
  async deleteGroup(group: string): Promise<void> {
    const op = 'store.deleteGroup';
    checkString(op, 'group', group);
    return this.#executor.write(
      op,
      async (driver, clock, events) => {
        const live = await driver.run(DELETE_LIVE_GROUP, [group, clock()]);
        await driver.run(DELETE_GROUP, [group]);
        if (live > 0) events?.push(event('delete_group', group, '', '', clock()));
      },
      true,
      group,
    );
  }

  /** The group's live pairs as a null-prototype object. */
  async getAll(group: string): Promise<Record<string, string>> {
    const op = 'store.getAll';
    checkString(op, 'group', group);
    return this.#executor.read(op, (driver, clock) => readGroup(driver, group, clock()), group);
  }

  /** The group's live pairs, in key order, fetched a page at a time. */
  async *all(group: string): AsyncGenerator<KeyValue, void, undefined> {
    checkString('store.all', 'group', group);
    let after: string | undefined;
    for (;;) {
      const page = await this.getPage(group, after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE });
      yield* page;
      if (page.length < PAGE_SIZE) return;
      after = page[page.length - 1].key;
    }
  }

  /** The number of live keys in a group. */
  async count(group: string): Promise<number> {
    const op = 'store.count';
    checkString(op, 'group', group);
    return this.#executor.read(
      op,
      async (driver, clock) => Number((await driver.get(COUNT_GROUP, [group, clock()]))?.[0] ?? 0),
      group,
    );
  }

  /** The number of live keys across the groups whose name starts with `prefix` (literally). */
  async countAll(prefix = ''): Promise<number> {
    const op = 'store.countAll';
    checkString(op, 'prefix', prefix);
    const [lower, upper] = prefixRange(prefix);
    return this.#executor.read(
      op,
      async (driver, clock) => Number((await driver.get(COUNT_RANGE, [lower, upper, clock()]))?.[0] ?? 0),
      prefix,
    );
  }

  /** The names of the groups with live keys that start with `prefix` (literally), in code-point order. */
  async groups(prefix = ''): Promise<string[]> {
    const op = 'store.groups';
    checkString(op, 'prefix', prefix);
    const [lower, upper] = prefixRange(prefix);
    return this.#executor.read(
      op,
      async (driver, clock) =>
        (await driver.all(SELECT_GROUPS_IN_RANGE, [lower, upper, clock()])).map((row) => row[0] as string),
      prefix,
    );
  }

  /** {@link Operations.groups} as an async iterator. */
  async *groupsSeq(prefix = ''): AsyncGenerator<string, void, undefined> {
    yield* await this.groups(prefix);
  }

  /** The value split by `sep`, with Go's `strings.Split` semantics. */
  async getSplit(group: string, key: string, sep: string): Promise<Iterable<string>> {
    checkString('store.getSplit', 'sep', sep);
    return goSplit(await this.#value(READ_GET_SPLIT, 'store.getSplit', group, key), sep);
  }

  /** The value split around runs of white space, with Go's `strings.Fields` semantics. */
  async getFields(group: string, key: string): Promise<Iterable<string>> {
    return goFields(await this.#value(READ_GET_FIELDS, 'store.getFields', group, key));
  }

  /**
   * Renders a Go `text/template` with the group's live pairs as its data.
   * @throws {TemplateError} with `phase` `'parse'` or `'exec'`.
   */
  async render(template: string, group: string): Promise<string> {
    const op = 'store.render';
    checkString(op, 'template', template);
    checkString(op, 'group', group);
    const data = await this.#executor.read(op, (driver, clock) => readGroup(driver, group, clock()), group);
    try {
      return renderTemplate(template, data);
    } catch (error) {
      if (!(error instanceof EngineTemplateError)) throw error;
      throw new TemplateError(error.phase, `${op}: ${error.message}`);
    }
  }

  /** Deletes every expired row; resolves to how many were removed. */
  async purgeExpired(): Promise<number> {
    return this.#executor.write(
      'store.purgeExpired',
      async (driver, clock) => driver.run(PURGE_EXPIRED, [clock()]),
      false,
    );
  }

  setMany(group: string, entries: Entries, options?: SetManyOptions): Promise<void> {
    return writeMany(this.#executor, 'store.setMany', group, entries, options, undefined);
  }

  /** The live values of `keys` in a group, as a null-prototype object; missing keys are absent. */
  async getMany(group: string, keys: Iterable<string>): Promise<Record<string, string>> {
    const op = 'store.getMany';
    checkString(op, 'group', group);
    if (
      keys === null ||
      typeof keys !== 'object' ||
      typeof (keys as Iterable<string>)[Symbol.iterator] !== 'function'
    ) {
      throw new InvalidArgumentError(`${op}: keys must be an iterable of strings`);
    }
    const list = Array.from(keys);
    for (const key of list) checkString(op, 'key', key);
    return this.#executor.read(
      op,
      async (driver, clock) => {
        const found: Record<string, string> = Object.create(null);
        for (const key of list) {
          const row = await driver.get(SELECT_VALUE, [group, key]);
          if (row !== undefined && isLive(row[1], clock)) found[key] = row[0] as string;
        }
        return found;
      },
      group,
    );
  }

  /**
   * Removes every group whose name starts with `groupPrefix` (literally, case-sensitively), with
   * one `delete_group` event per group that had live keys; resolves to the number of live keys
   * removed.
   */
  async deletePrefix(groupPrefix: string): Promise<number> {
    const op = 'store.deletePrefix';
    checkString(op, 'groupPrefix', groupPrefix);
    const [lower, upper] = prefixRange(groupPrefix);
    return this.#executor.write(
      op,
      async (driver, clock, events) => {
        const live = await driver.all(COUNT_LIVE_BY_GROUP_IN_RANGE, [lower, upper, clock()]);
        await driver.run(DELETE_RANGE, [lower, upper]);
        let removed = 0;
        for (const [group, count] of live) {
          removed += Number(count);
          events?.push(event('delete_group', group as string, '', '', clock()));
        }
        return removed;
      },
      true,
      groupPrefix,
    );
  }

  /**
   * Keyset pagination: at most `limit` live pairs with keys greater than `after`, in key
   * (code-point) order. Pass the last key of a page as the next page's `after`.
   */
  async getPage(group: string, options: PageOptions): Promise<KeyValue[]> {
    const op = 'store.getPage';
    checkString(op, 'group', group);
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(`${op}: options must be an object with a limit`);
    }
    const { after, limit } = options;
    checkCount(op, 'limit', limit);
    if (after !== undefined) checkString(op, 'after', after);
    return this.#executor.read(
      op,
      async (driver, clock) => {
        const rows =
          after === undefined
            ? await driver.all(SELECT_PAGE_FIRST, [group, clock(), limit])
            : await driver.all(SELECT_PAGE_AFTER, [group, clock(), limit, after]);
        return rows.map((row) => ({ key: row[0] as string, value: row[1] as string }));
      },
      group,
    );
  }

  /**
   * Keyset pagination over the whole database: at most `limit` live entries after `after`, in
   * (group, key) code-point order, each with its expiry. `dump` streams a database with it.
   */
  async exportPage(options: ExportPageOptions): Promise<StoredEntry[]> {
    const op = 'store.exportPage';
    if (options === null || typeof options !== 'object') {
      throw new InvalidArgumentError(`${op}: options must be an object with a limit`);
    }
    const { after, limit } = options;
    checkCount(op, 'limit', limit);
    if (after !== undefined) {
      if (after === null || typeof after !== 'object') {
        throw new InvalidArgumentError(`${op}: after must be an object with a group and a key`);
      }
      checkString(op, 'after.group', after.group);
      checkString(op, 'after.key', after.key);
    }
    return this.#executor.read(op, (driver, clock) => readEntriesPage(driver, clock(), after, limit));
  }

  #value(read: ReadFn<string>, op: string, group: string, key: string): Promise<string> {
    try {
      checkString(op, 'group', group);
      checkString(op, 'key', key);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#executor.read(op, read, group, key);
  }
}

/**
 * The point read of a key's value for `op`. Built once per method (below) rather than as a
 * closure per call: point reads are the hottest path, and a synchronous driver then answers
 * without any extra turn of the event loop or allocation of ours beyond the parameters.
 */
function readValue(op: string): ReadFn<string> {
  return (driver, clock, group, key) => {
    // Always given: the executor passes on the group and key #value checked.
    const g = group as string;
    const k = key as string;
    const row = driver.get(SELECT_VALUE, [g, k]);
    return row instanceof Promise
      ? row.then((found) => liveValue(op, driver, g, k, clock, found))
      : liveValue(op, driver, g, k, clock, row);
  };
}

const READ_GET = readValue('store.get');
const READ_GET_SPLIT = readValue('store.getSplit');
const READ_GET_FIELDS = readValue('store.getFields');

/** The value of the row `SELECT_VALUE` found, if it is live; an expired one is deleted. */
function liveValue(
  op: string,
  driver: SqlDriver,
  group: string,
  key: string,
  clock: Clock,
  row: SqlRow | undefined,
): MaybePromise<string> {
  if (row === undefined) throw notFound(op, group, key);
  if (isLive(row[1], clock)) return row[0] as string;
  // Lazy expiry: the row is already gone for every reader, so nothing is emitted.
  return then(driver.run(DELETE_EXPIRED_KEY, [group, key, clock()]), () => {
    throw notFound(op, group, key);
  });
}

function nothing(): void {}

/** A row is live while it has no expiry or its expiry is still ahead of the clock. */
function isLive(expiresAt: SqlValue | undefined, clock: Clock): boolean {
  return expiresAt === null || Number(expiresAt) > clock();
}

function notFound(op: string, group: string, key: string): NotFoundError {
  return new NotFoundError(`${op}: ${group}/${key}: not found`);
}

function readGroup(driver: SqlDriver, group: string, now: number): MaybePromise<Record<string, string>> {
  // The two aggregates are strings as long as the whole group: an engine with a small string
  // limit (Cloudflare's SQLite caps one at 2 MB) refuses them for a big group, which is then
  // read row by row instead.
  const byRows = (): MaybePromise<Record<string, string>> =>
    then(driver.all(SELECT_GROUP_ROWS, [group, now]), (rows) => {
      const pairs: Record<string, string> = Object.create(null);
      for (const [key, value] of rows) pairs[key as string] = value as string;
      return pairs;
    });
  let aggregated: MaybePromise<SqlRow | undefined>;
  try {
    aggregated = driver.get(SELECT_GROUP_JSON, [group, now]);
  } catch {
    return byRows();
  }
  return aggregated instanceof Promise ? aggregated.then(pairsFromJson, byRows) : pairsFromJson(aggregated);
}

function pairsFromJson(row: SqlRow | undefined): Record<string, string> {
  const pairs: Record<string, string> = Object.create(null);
  if (row === undefined) return pairs;
  // Both aggregates run over the same rows in the same pass, so the arrays line up.
  const keys = JSON.parse(String(row[0])) as string[];
  const values = JSON.parse(String(row[1])) as string[];
  for (let i = 0; i < keys.length; i++) pairs[keys[i]] = values[i];
  return pairs;
}

function toPairs(op: string, entries: Entries): Array<readonly [string, string]> {
  if (entries === null || typeof entries !== 'object') {
    throw new InvalidArgumentError(`${op}: entries must be an object or an iterable of [key, value] pairs`);
  }
  const source: Iterable<unknown> =
    Symbol.iterator in entries ? (entries as Iterable<unknown>) : Object.entries(entries as Record<string, unknown>);
  const pairs: Array<readonly [string, string]> = [];
  for (const pair of source) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidArgumentError(`${op}: each entry must be a [key, value] pair`);
    }
    const [key, value] = pair as [unknown, unknown];
    checkString(op, 'key', key);
    checkString(op, 'value', value);
    pairs.push([key, value]);
  }
  return pairs;
}

function event(type: StoreEvent['type'], group: string, key: string, value: string, now: number): StoreEvent {
  return { type, group, key, value, timestamp: new Date(now) };
}

/** `now + ttlMs` as whole Unix milliseconds, kept within the range SQLite stores as INTEGER. */
function expiryFrom(now: number, ttlMs: number): number {
  const at = Math.trunc(now + ttlMs);
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, at));
}

function prefixRange(prefix: string): [SqlValue, SqlValue] {
  return [prefix, prefixUpperBound(prefix) ?? NO_UPPER_BOUND];
}
