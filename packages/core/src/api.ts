/**
 * The data API, declared once: the store, a scoped store and a transaction each implement
 * {@link DataApi}, so a method added here is checked everywhere. The behaviour every method
 * promises is written out in docs/api.md.
 */

/** A key and its value, as yielded by `all` and returned by `getPage`. */
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

/**
 * The data methods. On a {@link ScopedStore} every group is inside its namespace: names given
 * and returned are without the namespace part; events and error messages carry the full stored
 * name (`tenant-42:prefs`).
 */
export interface DataApi {
  /**
   * The value of a live key.
   * @throws {NotFoundError} when the key is absent or expired (an expired row is deleted).
   */
  get(group: string, key: string): Promise<string>;
  /** Whether the key is live. */
  has(group: string, key: string): Promise<boolean>;
  /** Writes a value with no expiry (clearing any TTL the key had). */
  set(group: string, key: string, value: string): Promise<void>;
  /**
   * Writes a value that expires `ttlMs` milliseconds from now. A `ttlMs <= 0` stores a key that
   * is already expired, as go-store does.
   */
  setWithTTL(group: string, key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes one key. Removing a missing key is not an error. */
  delete(group: string, key: string): Promise<void>;
  /** Removes every key of a group. */
  deleteGroup(group: string): Promise<void>;
  /** The group's live pairs as a null-prototype object. */
  getAll(group: string): Promise<Record<string, string>>;
  /** The group's live pairs, in key order, fetched a page at a time. */
  all(group: string): AsyncGenerator<KeyValue, void, undefined>;
  /** The number of live keys in a group. */
  count(group: string): Promise<number>;
  /** The number of live keys across the groups whose name starts with `prefix` (literally). */
  countAll(prefix?: string): Promise<number>;
  /** The names of the groups with live keys that start with `prefix` (literally), in code-point order. */
  groups(prefix?: string): Promise<string[]>;
  /** `groups` as an async iterator. */
  groupsSeq(prefix?: string): AsyncGenerator<string, void, undefined>;
  /** The value split by `sep`, with Go's `strings.Split` semantics. */
  getSplit(group: string, key: string, sep: string): Promise<Iterable<string>>;
  /** The value split around runs of white space, with Go's `strings.Fields` semantics. */
  getFields(group: string, key: string): Promise<Iterable<string>>;
  /**
   * Renders a Go `text/template` with the group's live pairs as its data.
   * @throws {TemplateError} with `phase` `'parse'` or `'exec'`.
   */
  render(template: string, group: string): Promise<string>;
  /** Writes many values of one group at once: all or nothing, one `set` event per entry. */
  setMany(group: string, entries: Entries, options?: SetManyOptions): Promise<void>;
  /** The live values of `keys` in a group, as a null-prototype object; missing keys are absent. */
  getMany(group: string, keys: Iterable<string>): Promise<Record<string, string>>;
  /**
   * Removes every group whose name starts with `groupPrefix` (literally, case-sensitively), with
   * one `delete_group` event per group that had live keys; resolves to the number of live keys
   * removed.
   */
  deletePrefix(groupPrefix: string): Promise<number>;
  /**
   * Keyset pagination: at most `limit` live pairs with keys greater than `after`, in key
   * (code-point) order. Pass the last key of a page as the next page's `after`.
   */
  getPage(group: string, options: PageOptions): Promise<KeyValue[]>;
}
