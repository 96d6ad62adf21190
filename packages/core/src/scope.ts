/**
 * Namespaces for multi-tenant use: a {@link ScopedStore} stores every group as
 * `namespace + ':' + group` and enforces the namespace's quotas on writes of new keys.
 */
import type { DataApi, Entries, KeyValue, PageOptions, SetManyOptions } from './api.js';
import { InvalidArgumentError } from './errors.js';
import type { Executor } from './executor.js';
import { Operations, writeMany, writeValue } from './operations.js';
import type { QuotaCheck } from './quota.js';
import { checkCount, checkOptions, checkString, describe } from './validate.js';

/** A namespace's limits; 0 or absent means unlimited. */
export interface QuotaOptions {
  /** The most live keys the namespace may hold across all its groups. */
  maxKeys?: number;
  /** The most groups with live keys the namespace may hold. */
  maxGroups?: number;
}

const NAMESPACE = /^[a-zA-Z0-9-]+$/;

/**
 * The data methods of a namespace, over a store or a transaction. Group names given to it and
 * returned by it are without the namespace part; events and error messages carry the full
 * stored name (`tenant-42:prefs`).
 *
 * Quotas apply to writes of keys that are not live yet: overwriting a live key never counts,
 * expired keys never count. A write that would exceed a quota rejects with
 * `QuotaExceededError` and writes nothing; the check and the write are one atomic step.
 */
export class ScopedOperations implements DataApi {
  /** The namespace, e.g. `tenant-42`. */
  readonly namespace: string;
  /** The quotas in force (0 = unlimited). */
  readonly quota: Readonly<Required<QuotaOptions>>;
  readonly #executor: Executor;
  readonly #base: Operations;
  readonly #check: QuotaCheck | undefined;
  readonly #prefix: string;

  /** @internal Use `store.scope(namespace, quota)`. */
  constructor(executor: Executor, namespace: string, quota?: QuotaOptions) {
    const op = 'store.scope';
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      const got = typeof namespace === 'string' ? JSON.stringify(namespace) : describe(namespace);
      throw new InvalidArgumentError(`${op}: namespace must match ^[a-zA-Z0-9-]+$, got ${got}`);
    }
    checkOptions(op, quota);
    // Absent means unlimited; null is not absent, and is refused like any other non-integer.
    const maxKeys = quota?.maxKeys === undefined ? 0 : quota.maxKeys;
    const maxGroups = quota?.maxGroups === undefined ? 0 : quota.maxGroups;
    checkCount(op, 'maxKeys', maxKeys);
    checkCount(op, 'maxGroups', maxGroups);
    this.namespace = namespace;
    this.quota = Object.freeze({ maxKeys, maxGroups });
    this.#executor = executor;
    this.#base = new Operations(executor);
    this.#check = maxKeys > 0 || maxGroups > 0 ? { namespace, maxKeys, maxGroups } : undefined;
    this.#prefix = `${namespace}:`;
  }

  get(group: string, key: string): Promise<string> {
    return this.#call('store.get', group, (g) => this.#base.get(g, key));
  }

  has(group: string, key: string): Promise<boolean> {
    return this.#call('store.has', group, (g) => this.#base.has(g, key));
  }

  set(group: string, key: string, value: string): Promise<void> {
    return this.#call('store.set', group, (g) =>
      writeValue(this.#executor, 'store.set', { group: g, key, value, ttl: null }, this.#check),
    );
  }

  setWithTTL(group: string, key: string, value: string, ttlMs: number): Promise<void> {
    const op = 'store.setWithTTL';
    return this.#call(op, group, (g) =>
      writeValue(this.#executor, op, { group: g, key, value, ttl: { ttlMs } }, this.#check),
    );
  }

  delete(group: string, key: string): Promise<void> {
    return this.#call('store.delete', group, (g) => this.#base.delete(g, key));
  }

  deleteGroup(group: string): Promise<void> {
    return this.#call('store.deleteGroup', group, (g) => this.#base.deleteGroup(g));
  }

  getAll(group: string): Promise<Record<string, string>> {
    return this.#call('store.getAll', group, (g) => this.#base.getAll(g));
  }

  async *all(group: string): AsyncGenerator<KeyValue, void, undefined> {
    checkString('store.all', 'group', group);
    yield* this.#base.all(this.#prefix + group);
  }

  count(group: string): Promise<number> {
    return this.#call('store.count', group, (g) => this.#base.count(g));
  }

  /** Live keys across this namespace's groups whose name (without the namespace) starts with `prefix`. */
  countAll(prefix = ''): Promise<number> {
    return this.#call('store.countAll', prefix, (p) => this.#base.countAll(p), 'prefix');
  }

  /** This namespace's groups with live keys starting with `prefix`, without the namespace part. */
  groups(prefix = ''): Promise<string[]> {
    return this.#call(
      'store.groups',
      prefix,
      async (p) => (await this.#base.groups(p)).map((group) => group.slice(this.#prefix.length)),
      'prefix',
    );
  }

  /** {@link ScopedStore.groups} as an async iterator. */
  async *groupsSeq(prefix = ''): AsyncGenerator<string, void, undefined> {
    yield* await this.groups(prefix);
  }

  getSplit(group: string, key: string, sep: string): Promise<Iterable<string>> {
    return this.#call('store.getSplit', group, (g) => this.#base.getSplit(g, key, sep));
  }

  getFields(group: string, key: string): Promise<Iterable<string>> {
    return this.#call('store.getFields', group, (g) => this.#base.getFields(g, key));
  }

  render(template: string, group: string): Promise<string> {
    return this.#call('store.render', group, (g) => this.#base.render(template, g));
  }

  /** Writes many values at once; all or nothing against the quotas. */
  setMany(group: string, entries: Entries, options?: SetManyOptions): Promise<void> {
    const op = 'store.setMany';
    return this.#call(op, group, (g) => writeMany(this.#executor, op, g, entries, options, this.#check));
  }

  getMany(group: string, keys: Iterable<string>): Promise<Record<string, string>> {
    return this.#call('store.getMany', group, (g) => this.#base.getMany(g, keys));
  }

  /** Removes this namespace's groups starting with `groupPrefix`; resolves to the live keys removed. */
  deletePrefix(groupPrefix: string): Promise<number> {
    return this.#call('store.deletePrefix', groupPrefix, (p) => this.#base.deletePrefix(p), 'groupPrefix');
  }

  getPage(group: string, options: PageOptions): Promise<KeyValue[]> {
    return this.#call('store.getPage', group, (g) => this.#base.getPage(g, options));
  }

  /** Validates the group (or prefix) before prefixing it, so `123` is refused, not stored as `ns:123`. */
  #call<T>(op: string, name: unknown, fn: (full: string) => Promise<T>, what = 'group'): Promise<T> {
    try {
      checkString(op, what, name);
      return fn(this.#prefix + name);
    } catch (error) {
      return Promise.reject(error);
    }
  }
}

/** The scoped `tx` of {@link ScopedStore.transaction}: every data method, no `transaction`. */
export type ScopedTransaction = ScopedOperations;

/** Runs a callback in a store transaction, handing it the transaction's executor. */
type RunTransaction = <T>(fn: (executor: Executor) => T | Promise<T>) => Promise<T>;

/**
 * A view of a store confined to one namespace, optionally with quotas: the data methods of
 * {@link ScopedOperations} plus `transaction`.
 *
 * @example
 * ```ts
 * const tenant = store.scope('tenant-42', { maxKeys: 100 });
 * await tenant.set('prefs', 'locale', 'en-GB'); // stored as group 'tenant-42:prefs'
 * ```
 */
export class ScopedStore extends ScopedOperations {
  readonly #runTransaction: RunTransaction;

  /** @internal Use `store.scope(namespace, quota)`. */
  constructor(executor: Executor, runTransaction: RunTransaction, namespace: string, quota?: QuotaOptions) {
    super(executor, namespace, quota);
    this.#runTransaction = runTransaction;
  }

  /**
   * Runs `fn` in a store transaction with a scoped `tx`; quotas are checked against the
   * transaction's own writes. See {@link Store.transaction}.
   */
  transaction<T>(fn: (tx: ScopedTransaction) => T | Promise<T>): Promise<T> {
    if (typeof fn !== 'function') {
      return Promise.reject(new InvalidArgumentError('store.transaction: the callback must be a function'));
    }
    return this.#runTransaction((executor) => fn(new ScopedOperations(executor, this.namespace, this.quota)));
  }
}
