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

// Per store, not per sync: every sync running on a store (a client beside a server's handler,
// or a second client) must leave out the received changes that any of them applies.
const openSessions = new WeakMap<Store, Set<Expected>>();
// Each listener of a store gets the same event object, and the first to ask crosses the
// outcome off: the answer is kept for the others.
const sessionEvents = new WeakMap<StoreEvent, boolean>();

/** The sessions open on `store`, whichever sync opened them. */
function sessionsOn(store: Store): Set<Expected> {
  let open = openSessions.get(store);
  if (open === undefined) {
    open = new Set();
    openSessions.set(store, open);
  }
  return open;
}

/** Opens the record of one session's own writes on `store`; see {@link OwnWrites}. */
export function ownWrites(store: Store): OwnWrites {
  const expected: Expected = new Map();
  const open = sessionsOn(store);
  open.add(expected);
  return {
    expect(group, key, value) {
      let keys = expected.get(group);
      if (keys === undefined) {
        keys = new Map();
        expected.set(group, keys);
      }
      const outcomes = keys.get(key);
      if (outcomes === undefined) keys.set(key, [value]);
      else outcomes.push(value);
    },
    end() {
      open.delete(expected);
    },
  };
}

/** Whether `event` is one that a session in `open` announced; it is then crossed off. */
function isSessionWrite(open: Set<Expected>, event: StoreEvent): boolean {
  const known = sessionEvents.get(event);
  if (known !== undefined) return known;
  let own = false;
  if (event.type !== 'delete_group') {
    const value = event.type === 'set' ? event.value : null;
    for (const expected of open) {
      const outcomes = expected.get(event.group)?.get(event.key);
      const index = outcomes?.indexOf(value) ?? -1;
      if (outcomes !== undefined && index >= 0) {
        outcomes.splice(index, 1);
        own = true;
        break;
      }
    }
  }
  sessionEvents.set(event, own);
  return own;
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
 * The events of sync's own sessions (received changes) are told apart and left out.
 */
export class WriteTimes {
  #seen = new SeenWrites();

  /**
   * Records the store's events from now on, calling `onWrite` after each local one; returns
   * the unregister function.
   */
  listen(store: Store, onWrite: () => void = () => undefined): () => void {
    const open = sessionsOn(store);
    return store.onChange((event) => {
      if (open.size > 0 && isSessionWrite(open, event)) return;
      const at = event.timestamp.getTime();
      const seen = this.#seen;
      if (event.type === 'delete_group') {
        seen.groups.set(event.group, at);
        seen.times.delete(event.group);
      } else {
        let keys = seen.times.get(event.group);
        if (keys === undefined) {
          keys = new Map();
          seen.times.set(event.group, keys);
        }
        keys.set(event.key, at);
      }
      onWrite();
    });
  }

  /** Whether any local write awaits recording. */
  get pending(): boolean {
    return this.#seen.times.size > 0 || this.#seen.groups.size > 0;
  }

  /**
   * Hands over the writes seen so far, to be recorded, and starts afresh. If what records them
   * rolls back, {@link restore} gives them back: until committed they are recorded nowhere else.
   */
  take(): SeenWrites {
    const seen = this.#seen;
    this.#seen = new SeenWrites();
    return seen;
  }

  /** Gives back writes {@link take}n but not recorded, behind any seen since (which are newer). */
  restore(taken: SeenWrites): void {
    const seen = this.#seen;
    for (const [group, keys] of taken.times) {
      // The group was deleted since: those writes are gone, as the listener forgets them then.
      if (seen.groups.has(group)) continue;
      let current = seen.times.get(group);
      if (current === undefined) {
        current = new Map();
        seen.times.set(group, current);
      }
      for (const [key, at] of keys) if (!current.has(key)) current.set(key, at);
    }
    for (const [group, at] of taken.groups) if (!seen.groups.has(group)) seen.groups.set(group, at);
  }
}
