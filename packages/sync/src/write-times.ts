/**
 * The local writes sync learns of from the store's events, and how the events of its own
 * sessions (received changes it applies) are told apart from them.
 */
import type { Store, StoreEvent } from '@go-store/core';

/**
 * The writes a session makes to `kv` (received changes), whose events must not be taken for
 * local writes. Each is matched by its outcome (the value set, or a delete), once.
 */
export interface OwnWrites {
  /** The session is about to write `value` (`null`: delete) to the key. */
  expect(group: string, key: string, value: string | null): void;
  /** The session is over: whatever was not matched (a delete of an absent key emits nothing) is forgotten. */
  end(): void;
}

/** One session's writes not yet seen: group → key → outcomes. */
type Expected = Map<string, Map<string, (string | null)[]>>;

/**
 * What every sync running on one store shares (a client beside a server's handler, or a second
 * client), as they share its log table: the local writes seen and not yet recorded, whichever
 * session records them, and the open sessions, whose received changes none of them may take for
 * local writes. One listener on the store keeps it while any sync listens.
 */
class StoreRecord {
  seen = new SeenWrites();
  readonly sessions = new Set<Expected>();
  readonly listeners = new Set<{ readonly onWrite: () => void }>();
  unsubscribe: (() => void) | undefined;

  see(event: StoreEvent): void {
    if (this.sessions.size > 0 && this.#isSessionWrite(event)) return;
    const at = event.timestamp.getTime();
    const seen = this.seen;
    if (event.type === 'delete_group') {
      seen.groups.set(event.group, at);
      seen.times.delete(event.group);
    } else {
      keysOf(seen.times, event.group).set(event.key, at);
    }
    for (const listener of this.listeners) listener.onWrite();
  }

  /** Whether `event` is one that an open session announced; it is then crossed off. */
  #isSessionWrite(event: StoreEvent): boolean {
    if (event.type === 'delete_group') return false;
    const value = event.type === 'set' ? event.value : null;
    for (const expected of this.sessions) {
      const outcomes = expected.get(event.group)?.get(event.key);
      const index = outcomes?.indexOf(value) ?? -1;
      if (outcomes !== undefined && index >= 0) {
        outcomes.splice(index, 1);
        return true;
      }
    }
    return false;
  }
}

/** The inner map of `group` in a group → key → value map, created when missing. */
function keysOf<V>(byGroup: Map<string, Map<string, V>>, group: string): Map<string, V> {
  let keys = byGroup.get(group);
  if (keys === undefined) {
    keys = new Map();
    byGroup.set(group, keys);
  }
  return keys;
}

const records = new WeakMap<Store, StoreRecord>();

function recordOf(store: Store): StoreRecord {
  let record = records.get(store);
  if (record === undefined) {
    record = new StoreRecord();
    records.set(store, record);
  }
  return record;
}

/** Opens the record of one session's own writes on `store`; see {@link OwnWrites}. */
export function ownWrites(store: Store): OwnWrites {
  const expected: Expected = new Map();
  const sessions = recordOf(store).sessions;
  sessions.add(expected);
  return {
    expect(group, key, value) {
      const keys = keysOf(expected, group);
      const outcomes = keys.get(key);
      if (outcomes === undefined) keys.set(key, [value]);
      else outcomes.push(value);
    },
    end() {
      sessions.delete(expected);
    },
  };
}

/** Local writes seen since they were last taken: the keys, when each was last written, and deleted groups. */
export class SeenWrites {
  // group → key → time: nested maps, so no key string is built per write.
  readonly times = new Map<string, Map<string, number>>();
  readonly groups = new Map<string, number>();

  /** When the key was last written (or its group deleted), if seen. */
  take(group: string, key: string): number | undefined {
    return this.times.get(group)?.get(key) ?? this.groups.get(group);
  }

  /** Every key seen written, as `[group, key]`. */
  *keys(): Generator<[string, string]> {
    for (const [group, keys] of this.times) for (const key of keys.keys()) yield [group, key];
  }

  /** Every group seen deleted. */
  deletedGroups(): IterableIterator<string> {
    return this.groups.keys();
  }
}

/**
 * The local writes this process saw, from the store's events: which keys, and when each was
 * last written, so a write is stamped with the time it was made rather than the time sync
 * records it (writes by other programs, found by the triggers, are stamped when recorded). In
 * a store kept in memory, where the triggers are dropped while sync runs, these are the log.
 * The events of sync's own sessions (received changes) are told apart and left out. Every sync
 * on a store shares one record (see {@link StoreRecord}); this is one sync's hold on it.
 */
export class WriteTimes {
  #record: StoreRecord | undefined;

  /**
   * Records the store's events from now on, calling `onWrite` after each local one; returns
   * the unregister function.
   */
  listen(store: Store, onWrite: () => void = () => undefined): () => void {
    const record = recordOf(store);
    this.#record = record;
    const listener = { onWrite };
    record.listeners.add(listener);
    record.unsubscribe ??= store.onChange((event) => record.see(event));
    return () => {
      if (!record.listeners.delete(listener) || record.listeners.size > 0) return;
      // Nobody syncs the store now: what was seen is in the log (a file's triggers, or put
      // there as sync stopped in memory).
      record.unsubscribe?.();
      record.unsubscribe = undefined;
      record.seen = new SeenWrites();
    };
  }

  /** Whether any local write awaits recording. */
  get pending(): boolean {
    const seen = this.#record?.seen;
    return seen !== undefined && (seen.times.size > 0 || seen.groups.size > 0);
  }

  /**
   * Hands over the writes seen so far, to be recorded, and starts afresh. If what records them
   * rolls back, {@link restore} gives them back: until committed they are recorded nowhere else.
   */
  take(): SeenWrites {
    const record = this.#record;
    if (record === undefined) return new SeenWrites();
    const seen = record.seen;
    record.seen = new SeenWrites();
    return seen;
  }

  /** Gives back writes {@link take}n but not recorded, behind any seen since (which are newer). */
  restore(taken: SeenWrites): void {
    const seen = this.#record?.seen;
    if (seen === undefined) return;
    for (const [group, keys] of taken.times) {
      // The group was deleted since: those writes are gone, as the listener forgets them then.
      if (seen.groups.has(group)) continue;
      const current = keysOf(seen.times, group);
      for (const [key, at] of keys) if (!current.has(key)) current.set(key, at);
    }
    for (const [group, at] of taken.groups) if (!seen.groups.has(group)) seen.groups.set(group, at);
  }
}
