/**
 * Mutation events: watchers (bounded async iterables, like go-store's buffered channels) and
 * synchronous `onChange` callbacks. The store dispatches here after each committed write.
 */
import { InvalidArgumentError } from './errors.js';
import { checkCount, checkOptions, checkString } from './validate.js';

/** The kind of mutation an {@link StoreEvent} describes. */
export type EventType = 'set' | 'delete' | 'delete_group';

/** One committed mutation. */
export interface StoreEvent {
  readonly type: EventType;
  /** The full stored group name (with the namespace prefix for scoped writes). */
  readonly group: string;
  /** The key; `''` for `delete_group`. */
  readonly key: string;
  /** The value written; `''` for deletions. */
  readonly value: string;
  /** When the write committed, by the store's clock. */
  readonly timestamp: Date;
}

/** Options of {@link Store.watch}. */
export interface WatchOptions {
  /** How many undelivered events the watcher holds before it drops new ones (default 16). */
  bufferSize?: number;
}

/** Called with each committed event. */
export type ChangeListener = (event: StoreEvent) => void;

const DEFAULT_BUFFER_SIZE = 16;

/**
 * A subscription to the events matching `(group, key)`, where `'*'` matches anything. Iterate
 * it with `for await`. The writer never waits: when the buffer is full, new events are dropped
 * and counted in {@link Watcher.dropped}. Closing it (or `store.unwatch`) ends the iteration
 * once the events already buffered have been delivered, as a closed Go channel does.
 *
 * @example
 * ```ts
 * const w = store.watch('config', '*');
 * for await (const e of w) console.log(e.type, e.key);
 * ```
 */
export class Watcher implements AsyncIterableIterator<StoreEvent> {
  readonly group: string;
  readonly key: string;
  readonly bufferSize: number;
  #dropped = 0;
  #closed = false;
  #buffer: StoreEvent[] = [];
  #head = 0;
  readonly #readers: Array<(result: IteratorResult<StoreEvent>) => void> = [];
  readonly #detach: () => void;

  /**
   * @internal Created by {@link Store.watch}. `attach` receives the function that delivers an
   * event to this watcher, and returns the one that unsubscribes it.
   */
  constructor(
    group: string,
    key: string,
    bufferSize: number,
    attach: (deliver: (event: StoreEvent) => void) => () => void,
  ) {
    this.group = group;
    this.key = key;
    this.bufferSize = bufferSize;
    this.#detach = attach((event) => this.#deliver(event));
  }

  /** How many events were dropped because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Whether the watcher has been closed (buffered events may still be waiting). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Whether `event` is one this watcher asked for. A `delete_group` event (whose key is `''`)
   * reaches only watchers of every key (`'*'`), never a watcher of the key `''`.
   */
  matches(event: StoreEvent): boolean {
    if (this.group !== '*' && this.group !== event.group) return false;
    return this.key === '*' || (this.key === event.key && event.type !== 'delete_group');
  }

  #deliver(event: StoreEvent): void {
    if (this.#closed) return;
    const reader = this.#readers.shift();
    if (reader) reader({ value: event, done: false });
    else if (this.#buffer.length - this.#head < this.bufferSize) this.#buffer.push(event);
    else this.#dropped++;
  }

  next(): Promise<IteratorResult<StoreEvent>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head++];
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** Called when a `for await` loop exits early: the watcher is closed and its buffer discarded. */
  return(): Promise<IteratorResult<StoreEvent>> {
    this.close();
    this.#buffer = [];
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** Stops receiving events; iteration ends after the buffered ones. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    for (const reader of this.#readers.splice(0)) reader({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

interface Listener {
  readonly fn: ChangeListener;
  active: boolean;
}

/** The events of one committed write, held until its durability is known ({@link EventHub.hold}). */
export interface HeldEvents {
  /** The write is durable: dispatch its events once every write committed before it is settled. */
  release(): void;
  /** The write rejected: its events are never dispatched. */
  drop(): void;
}

interface HeldEntry {
  readonly events: readonly StoreEvent[];
  state: 'waiting' | 'released' | 'dropped';
}

/** The store's registry of watchers and callbacks, and its dispatcher. */
export class EventHub {
  // Each watcher with the function that delivers to it.
  readonly #watchers = new Map<Watcher, (event: StoreEvent) => void>();
  // Committed writes' events awaiting their durability, in commit order.
  readonly #held: HeldEntry[] = [];
  #whenSettled: Array<() => void> = [];
  // Replaced, never mutated: a dispatch iterates the array it started with, so a callback that
  // registers or unregisters during a dispatch neither skips nor repeats anyone.
  #listeners: readonly Listener[] = [];
  readonly #onError: (error: unknown) => void;

  /** `onError` must not throw (the store wraps the user's). */
  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Whether anyone would receive an event (lets writers skip building events). */
  get active(): boolean {
    return this.#watchers.size > 0 || this.#listeners.length > 0;
  }

  watch(op: string, group: unknown, key: unknown, options: unknown): Watcher {
    checkString(op, 'group', group);
    checkString(op, 'key', key);
    checkOptions(op, options);
    const bufferSize = (options as WatchOptions | undefined)?.bufferSize ?? DEFAULT_BUFFER_SIZE;
    checkCount(op, 'bufferSize', bufferSize);
    let deliver = (_event: StoreEvent): void => {};
    const watcher: Watcher = new Watcher(group, key, bufferSize, (fn) => {
      deliver = fn;
      // Called only once the watcher exists, when it closes.
      return () => this.#watchers.delete(watcher);
    });
    this.#watchers.set(watcher, deliver);
    return watcher;
  }

  onChange(op: string, fn: unknown): () => void {
    if (typeof fn !== 'function') throw new InvalidArgumentError(`${op}: listener must be a function`);
    const listener: Listener = { fn: fn as ChangeListener, active: true };
    this.#listeners = [...this.#listeners, listener];
    return () => {
      if (!listener.active) return;
      listener.active = false;
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** Dispatches committed events in order: to matching watchers, then to every callback. */
  emit(events: readonly StoreEvent[]): void {
    for (const event of events) {
      for (const [watcher, deliver] of this.#watchers) if (watcher.matches(event)) deliver(event);
      for (const listener of this.#listeners) {
        if (!listener.active) continue;
        try {
          listener.fn(event);
        } catch (error) {
          this.#onError(error);
        }
      }
    }
  }

  /**
   * Holds the events of a write that has committed but whose durability is still to come.
   * Released events are dispatched in the order they were held, so events follow commit order
   * even when writes become durable out of order; dropped ones are never dispatched.
   */
  hold(events: readonly StoreEvent[]): HeldEvents {
    const entry: HeldEntry = { events, state: 'waiting' };
    this.#held.push(entry);
    const settle = (state: 'released' | 'dropped'): void => {
      if (entry.state !== 'waiting') return;
      entry.state = state;
      this.#dispatchSettled();
    };
    return { release: () => settle('released'), drop: () => settle('dropped') };
  }

  /** Resolves once no held events are waiting (`close` waits for it before ending watchers). */
  settled(): Promise<void> {
    if (this.#held.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenSettled.push(resolve));
  }

  #dispatchSettled(): void {
    while (this.#held.length > 0 && this.#held[0].state !== 'waiting') {
      const entry = this.#held.shift() as HeldEntry;
      if (entry.state === 'released') this.emit(entry.events);
    }
    if (this.#held.length > 0) return;
    const waiting = this.#whenSettled;
    this.#whenSettled = [];
    for (const resolve of waiting) resolve();
  }

  /** Ends every watcher's iteration (after its buffered events) and drops every callback. */
  closeAll(): void {
    for (const watcher of [...this.#watchers.keys()]) watcher.close();
    for (const listener of this.#listeners) listener.active = false;
    this.#listeners = [];
  }
}
