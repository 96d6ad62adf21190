/**
 * The data methods shared by {@link Store} and {@link Transaction}: every read and write of the
 * `kv` table, with the TTL rules (a row is live while `expires_at` is NULL or in the future) and
 * the quota rules of scoped writes. Subclasses decide how an operation reaches the driver:
 * the store queues on its lock and emits events after commit; a transaction runs inside the
 * lock it already holds and stages its events until it commits.
 */

import { TemplateError as EngineTemplateError, renderTemplate } from '@go-store/template';
import type { MaybePromise, SqlDriver, SqlValue } from './driver.js';
import { InvalidArgumentError, NotFoundError, QuotaExceededError, TemplateError } from './errors.js';
import type { StoreEvent } from './events.js';
import { type ExportPageOptions, readEntriesPage, type StoredEntry } from './export-page.js';
import { goFields, goSplit } from './go-strings.js';
import { then } from './maybe.js';
import { prefixUpperBound } from './prefix.js';
import { checkCount, checkExpiresAt, checkOptions, checkString, checkTtl } from './validate.js';

// Every statement compares `expires_at` with the clock passed as a parameter, never with
// SQLite's own time, so writes replay deterministically and tests can inject a clock.
const SELECT_VALUE = 'SELECT value, expires_at FROM kv WHERE grp = ?1 AND key = ?2';
const SELECT_LIVE_KEY = 'SELECT 1 FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)';
const DELETE_EXPIRED_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND expires_at <= ?3';
const UPSERT =
  'INSERT INTO kv (grp, key, value, expires_at) VALUES (?1, ?2, ?3, ?4) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at';
const DELETE_LIVE_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?3)';
const DELETE_KEY = 'DELETE FROM kv WHERE grp = ?1 AND key = ?2';
const DELETE_LIVE_GROUP = 'DELETE FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
const DELETE_GROUP = 'DELETE FROM kv WHERE grp = ?1';
// A whole group crosses from the engine as two JSON arrays (keys, values) rather than row by
// row: with a WebAssembly engine each row and column read is a boundary crossing, and two
// strings plus JSON.parse cost less than thousands of them. (Arrays, not json_group_object:
// SQLite cuts object keys at a NUL character; array elements keep it.)
const SELECT_GROUP_JSON =
  'SELECT json_group_array(key), json_group_array(value) FROM kv ' +
  'WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
const SELECT_PAGE_FIRST =
  'SELECT key, value FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2) ' + 'ORDER BY key LIMIT ?3';
const SELECT_PAGE_AFTER =
  'SELECT key, value FROM kv WHERE grp = ?1 AND key > ?4 AND (expires_at IS NULL OR expires_at > ?2) ' +
  'ORDER BY key LIMIT ?3';
const COUNT_GROUP = 'SELECT count(*) FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?2)';
// Prefix ranges: `?1 <= grp < ?2`. When a prefix has no upper bound, ?2 is an empty BLOB,
// which SQLite orders after every TEXT value.
const COUNT_RANGE = 'SELECT count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3)';
const SELECT_GROUPS_IN_RANGE =
  'SELECT DISTINCT grp FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3) ' +
  'ORDER BY grp';
const COUNT_LIVE_BY_GROUP_IN_RANGE =
  'SELECT grp, count(*) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3) ' +
  'GROUP BY grp ORDER BY grp';
const DELETE_RANGE = 'DELETE FROM kv WHERE grp >= ?1 AND grp < ?2';
const PURGE_EXPIRED = 'DELETE FROM kv WHERE expires_at <= ?1';
/**
 * A scoped upsert that checks the namespace's quotas in the same statement, so check and write
 * are one atomic step in the engine itself, whatever the driver. The row is written when the
 * key is already live (overwrites never count), or when the live keys of the namespace
 * (`?6 <= grp < ?7`) are fewer than `maxKeys` (?8, 0 = unlimited) and either the group already
 * has live keys or the namespace's live groups are fewer than `maxGroups` (?9, 0 = unlimited).
 * No row changed means the quota refused it.
 *
 * Each limit is first checked against every row of the namespace, expired ones included: that
 * count comes from the primary-key index alone, and when it is under the limit the live count
 * (which must read each row's expiry from the table) cannot be over it, so it is skipped.
 */
const UPSERT_WITHIN_QUOTA =
  'INSERT INTO kv (grp, key, value, expires_at) SELECT ?1, ?2, ?3, ?4 WHERE ' +
  'EXISTS (SELECT 1 FROM kv WHERE grp = ?1 AND key = ?2 AND (expires_at IS NULL OR expires_at > ?5)) OR (' +
  '(?8 = 0 OR (SELECT count(*) FROM kv WHERE grp >= ?6 AND grp < ?7) < ?8 ' +
  'OR (SELECT count(*) FROM kv WHERE grp >= ?6 AND grp < ?7 AND (expires_at IS NULL OR expires_at > ?5)) < ?8) AND ' +
  '(?9 = 0 OR EXISTS (SELECT 1 FROM kv WHERE grp = ?1 AND (expires_at IS NULL OR expires_at > ?5)) ' +
  'OR (SELECT count(DISTINCT grp) FROM kv WHERE grp >= ?6 AND grp < ?7) < ?9 ' +
  'OR (SELECT count(DISTINCT grp) FROM kv WHERE grp >= ?6 AND grp < ?7 ' +
  'AND (expires_at IS NULL OR expires_at > ?5)) < ?9)) ' +
  'ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at';
const COUNT_LIVE_GROUPS_IN_RANGE =
  'SELECT count(DISTINCT grp) FROM kv WHERE grp >= ?1 AND grp < ?2 AND (expires_at IS NULL OR expires_at > ?3)';

/** How many rows `all` and `groupsSeq`-style iteration fetch per round trip. */
const PAGE_SIZE = 500;

const NO_UPPER_BOUND: SqlValue = new Uint8Array(0);

/** A key and its value, as yielded by {@link Operations.all} and returned by `getPage`. */
export interface KeyValue {
  key: string;
  value: string;
}

/** Options of `setMany`. */
export interface SetManyOptions {
  /** When given, every entry expires this many milliseconds from now. */
  ttlMs?: number;
  /**
   * When given, every entry expires at this Unix time in ms (`null`: never), as a dump records
   * it. Not together with `ttlMs`.
   */
  expiresAt?: number | null;
}

/** Options of `getPage`. */
export interface PageOptions {
  /** Return keys strictly greater than this one (in code-point order); from the start when absent. */
  after?: string;
  /** The most entries to return. */
  limit: number;
}

/** The entries of `setMany`: an object of key → value, or an iterable of `[key, value]` pairs. */
export type Entries = Readonly<Record<string, string>> | Iterable<readonly [string, string]>;

/** A namespace's limits, as checked by scoped writes. */
export interface QuotaCheck {
  readonly namespace: string;
  readonly maxKeys: number;
  readonly maxGroups: number;
}

/** Writes a value, checking a namespace quota when one is given; kept off the public surface. */
export const writeScoped = Symbol('writeScoped');
/** Writes many values, checking a namespace quota when one is given; kept off the public surface. */
export const writeManyScoped = Symbol('writeManyScoped');

/**
 * Where a write's events go: the store emits them after commit, a transaction stages them;
 * `null` when nobody is listening, so no event is built.
 */
export type EventSink = StoreEvent[] | null;

/** Runs one operation against the driver, given the time it runs at. */
export type ReadFn<T> = (driver: SqlDriver, now: number) => MaybePromise<T>;
/** Runs one write against the driver, pushing the events it causes. */
export type WriteFn<T> = (driver: SqlDriver, now: number, events: EventSink) => MaybePromise<T>;

/** The data methods common to a store and a transaction. */
export abstract class Operations {
  /** Runs a read; `group` and `key` name what it reads in error messages. */
  protected abstract read<T>(op: string, fn: ReadFn<T>, group?: string, key?: string): Promise<T>;
  /**
   * Runs a write. `atomic` asks for the statements of `fn` to commit together (a store wraps
   * them in a transaction; a transaction is one already).
   */
  protected abstract write<T>(op: string, fn: WriteFn<T>, atomic: boolean, group?: string, key?: string): Promise<T>;

  /**
   * The value of a live key.
   * @throws {NotFoundError} when the key is absent or expired (an expired row is deleted).
   */
  get(group: string, key: string): Promise<string> {
    return this.#value('store.get', group, key);
  }

  /** Whether the key is live. */
  async has(group: string, key: string): Promise<boolean> {
    const op = 'store.has';
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    return this.read(
      op,
      (driver, now) => then(driver.get(SELECT_LIVE_KEY, [group, key, now]), (row) => row !== undefined),
      group,
      key,
    );
  }

  /** Writes a value with no expiry (clearing any TTL the key had). */
  set(group: string, key: string, value: string): Promise<void> {
    return this[writeScoped]('store.set', group, key, value, null, undefined);
  }

  /**
   * Writes a value that expires `ttlMs` milliseconds from now. A `ttlMs <= 0` stores a key that
   * is already expired, as go-store does.
   */
  setWithTTL(group: string, key: string, value: string, ttlMs: number): Promise<void> {
    return this[writeScoped]('store.setWithTTL', group, key, value, { ttlMs }, undefined);
  }

  /** @internal The one write path of `set`, `setWithTTL` and their scoped forms; `ttl` null = no expiry. */
  [writeScoped](
    op: string,
    group: string,
    key: string,
    value: string,
    ttl: { ttlMs: number } | null,
    quota: QuotaCheck | undefined,
  ): Promise<void> {
    try {
      checkString(op, 'group', group);
      checkString(op, 'key', key);
      checkString(op, 'value', value);
      if (ttl !== null) checkTtl(op, ttl.ttlMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.write(
      op,
      (driver, now, events) => {
        const expiresAt = ttl === null ? null : expiryFrom(now, ttl.ttlMs);
        if (quota === undefined) {
          return then(driver.run(UPSERT, [group, key, value, expiresAt]), () => {
            events?.push(event('set', group, key, value, now));
          });
        }
        const [lower, upper] = namespaceRange(quota.namespace);
        const params = [group, key, value, expiresAt, now, lower, upper, quota.maxKeys, quota.maxGroups];
        return then(driver.run(UPSERT_WITHIN_QUOTA, params), (changed) => {
          if (changed === 0) throw new QuotaExceededError(`${op}: ${group}/${key}: ${describeQuota(quota)}`);
          events?.push(event('set', group, key, value, now));
        });
      },
      false,
      group,
      key,
    );
  }

  /** Removes one key. Removing a missing key is not an error. */
  async delete(group: string, key: string): Promise<void> {
    const op = 'store.delete';
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    return this.write(
      op,
      (driver, now, events) =>
        then(driver.run(DELETE_LIVE_KEY, [group, key, now]), (removed): MaybePromise<void> => {
          if (removed > 0) {
            events?.push(event('delete', group, key, '', now));
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
    return this.write(
      op,
      async (driver, now, events) => {
        const live = await driver.run(DELETE_LIVE_GROUP, [group, now]);
        await driver.run(DELETE_GROUP, [group]);
        if (live > 0) events?.push(event('delete_group', group, '', '', now));
      },
      true,
      group,
    );
  }

  /** The group's live pairs as a null-prototype object. */
  async getAll(group: string): Promise<Record<string, string>> {
    const op = 'store.getAll';
    checkString(op, 'group', group);
    return this.read(op, (driver, now) => readGroup(driver, group, now), group);
  }

  /** The group's live pairs, in key order, fetched a page at a time. */
  async *all(group: string): AsyncGenerator<KeyValue, void, undefined> {
    checkString('store.all', 'group', group);
    let after: string | undefined;
    for (;;) {
      const page = await this.getPage(group, after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE });
      yield* page;
      if (page.length < PAGE_SIZE) return;
      after = (page[page.length - 1] as KeyValue).key;
    }
  }

  /** The number of live keys in a group. */
  async count(group: string): Promise<number> {
    const op = 'store.count';
    checkString(op, 'group', group);
    return this.read(op, async (driver, now) => Number((await driver.get(COUNT_GROUP, [group, now]))?.[0] ?? 0), group);
  }

  /** The number of live keys across the groups whose name starts with `prefix` (literally). */
  async countAll(prefix = ''): Promise<number> {
    const op = 'store.countAll';
    checkString(op, 'prefix', prefix);
    const [lower, upper] = prefixRange(prefix);
    return this.read(
      op,
      async (driver, now) => Number((await driver.get(COUNT_RANGE, [lower, upper, now]))?.[0] ?? 0),
      prefix,
    );
  }

  /** The names of the groups with live keys that start with `prefix` (literally), in code-point order. */
  async groups(prefix = ''): Promise<string[]> {
    const op = 'store.groups';
    checkString(op, 'prefix', prefix);
    const [lower, upper] = prefixRange(prefix);
    return this.read(
      op,
      async (driver, now) =>
        (await driver.all(SELECT_GROUPS_IN_RANGE, [lower, upper, now])).map((row) => row[0] as string),
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
    return goSplit(await this.#value('store.getSplit', group, key), sep);
  }

  /** The value split around runs of white space, with Go's `strings.Fields` semantics. */
  async getFields(group: string, key: string): Promise<Iterable<string>> {
    return goFields(await this.#value('store.getFields', group, key));
  }

  /**
   * Renders a Go `text/template` with the group's live pairs as its data.
   * @throws {TemplateError} with `phase` `'parse'` or `'exec'`.
   */
  async render(template: string, group: string): Promise<string> {
    const op = 'store.render';
    checkString(op, 'template', template);
    checkString(op, 'group', group);
    const data = await this.read(op, (driver, now) => readGroup(driver, group, now), group);
    try {
      return renderTemplate(template, data);
    } catch (error) {
      if (!(error instanceof EngineTemplateError)) throw error;
      throw new TemplateError(error.phase, `${op}: ${error.message}`);
    }
  }

  /** Deletes every expired row; resolves to how many were removed. */
  async purgeExpired(): Promise<number> {
    return this.write('store.purgeExpired', async (driver, now) => driver.run(PURGE_EXPIRED, [now]), false);
  }

  /** Writes many values of one group at once: all or nothing, one `set` event per entry. */
  async setMany(group: string, entries: Entries, options?: SetManyOptions): Promise<void> {
    return this[writeManyScoped]('store.setMany', group, entries, options, undefined);
  }

  /** @internal The one write path of `setMany` and its scoped form. */
  async [writeManyScoped](
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
    return this.write(
      op,
      async (driver, now, events) => {
        if (quota !== undefined) await checkManyWithinQuota(op, driver, group, pairs, now, quota);
        const expiresAt = at !== undefined ? at : ttlMs === undefined ? null : expiryFrom(now, ttlMs);
        for (const [key, value] of pairs) {
          await driver.run(UPSERT, [group, key, value, expiresAt]);
          events?.push(event('set', group, key, value, now));
        }
      },
      pairs.length > 0,
      group,
    );
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
    return this.read(
      op,
      async (driver, now) => {
        const found: Record<string, string> = Object.create(null);
        for (const key of list) {
          const row = await driver.get(SELECT_VALUE, [group, key]);
          if (row !== undefined && isLive(row[1], now)) found[key] = row[0] as string;
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
    return this.write(
      op,
      async (driver, now, events) => {
        const live = await driver.all(COUNT_LIVE_BY_GROUP_IN_RANGE, [lower, upper, now]);
        await driver.run(DELETE_RANGE, [lower, upper]);
        let removed = 0;
        for (const [group, count] of live) {
          removed += Number(count);
          events?.push(event('delete_group', group as string, '', '', now));
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
    return this.read(
      op,
      async (driver, now) => {
        const rows =
          after === undefined
            ? await driver.all(SELECT_PAGE_FIRST, [group, now, limit])
            : await driver.all(SELECT_PAGE_AFTER, [group, now, limit, after]);
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
    return this.read(op, (driver, now) => readEntriesPage(driver, now, after, limit));
  }

  #value(op: string, group: string, key: string): Promise<string> {
    try {
      checkString(op, 'group', group);
      checkString(op, 'key', key);
    } catch (error) {
      return Promise.reject(error);
    }
    // Not an async function: point reads are the hottest path, and a synchronous driver then
    // answers without any extra turn of the event loop.
    return this.read(
      op,
      (driver, now) =>
        then(driver.get(SELECT_VALUE, [group, key]), (row): MaybePromise<string> => {
          if (row === undefined) throw notFound(op, group, key);
          if (isLive(row[1], now)) return row[0] as string;
          // Lazy expiry: the row is already gone for every reader, so nothing is emitted.
          return then(driver.run(DELETE_EXPIRED_KEY, [group, key, now]), () => {
            throw notFound(op, group, key);
          });
        }),
      group,
      key,
    );
  }
}

/** A row is live while it has no expiry or its expiry is still ahead of the clock. */
function isLive(expiresAt: SqlValue | undefined, now: number): boolean {
  return expiresAt === null || Number(expiresAt) > now;
}

function notFound(op: string, group: string, key: string): NotFoundError {
  return new NotFoundError(`${op}: ${group}/${key}: not found`);
}

function readGroup(driver: SqlDriver, group: string, now: number): MaybePromise<Record<string, string>> {
  return then(driver.get(SELECT_GROUP_JSON, [group, now]), (row) => {
    const pairs: Record<string, string> = Object.create(null);
    if (row === undefined) return pairs;
    // Both aggregates run over the same rows in the same pass, so the arrays line up.
    const keys = JSON.parse(String(row[0])) as string[];
    const values = JSON.parse(String(row[1])) as string[];
    for (let i = 0; i < keys.length; i++) pairs[keys[i] as string] = values[i] as string;
    return pairs;
  });
}

async function checkManyWithinQuota(
  op: string,
  driver: SqlDriver,
  group: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  now: number,
  quota: QuotaCheck,
): Promise<void> {
  const fresh = new Set<string>();
  for (const [key] of pairs) {
    if (!fresh.has(key) && (await driver.get(SELECT_LIVE_KEY, [group, key, now])) === undefined) fresh.add(key);
  }
  if (fresh.size === 0) return;
  const [lower, upper] = namespaceRange(quota.namespace);
  if (quota.maxKeys > 0) {
    const keys = Number((await driver.get(COUNT_RANGE, [lower, upper, now]))?.[0] ?? 0);
    if (keys + fresh.size > quota.maxKeys) throw new QuotaExceededError(`${op}: ${group}: ${describeQuota(quota)}`);
  }
  if (quota.maxGroups > 0 && Number((await driver.get(COUNT_GROUP, [group, now]))?.[0] ?? 0) === 0) {
    const groups = Number((await driver.get(COUNT_LIVE_GROUPS_IN_RANGE, [lower, upper, now]))?.[0] ?? 0);
    if (groups + 1 > quota.maxGroups) throw new QuotaExceededError(`${op}: ${group}: ${describeQuota(quota)}`);
  }
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

/** The stored groups of a namespace are exactly those in `[ns + ':', ns + ';')`. */
function namespaceRange(namespace: string): [string, string] {
  return [`${namespace}:`, `${namespace};`];
}

function describeQuota(quota: QuotaCheck): string {
  const limits = [
    quota.maxKeys > 0 ? `maxKeys ${quota.maxKeys}` : '',
    quota.maxGroups > 0 ? `maxGroups ${quota.maxGroups}` : '',
  ].filter(Boolean);
  return `quota exceeded for namespace ${quota.namespace} (${limits.join(', ')})`;
}
