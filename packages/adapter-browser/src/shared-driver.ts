/**
 * A store's driver for a database shared between contexts: every call goes to the leader (see
 * membership.ts), and every call settles exactly once whatever happens to the leader.
 *
 * - A read, or a write outside a transaction, is re-sent to the new leader when the old one
 *   goes away before answering. A write carries a call id that the leader records with it, so
 *   the new leader answers a write the old one committed from its record instead of applying it
 *   again.
 * - A transaction (from `begin()` to `commit()`) lives on one leader. If that leader goes away
 *   first, the transaction is gone (rolled back with the leader's connection) and its calls
 *   reject with a retryable `DriverError`; the store runs a plain write again by itself. If the
 *   leader goes away while the commit is on its way, the new leader is asked whether the
 *   transaction's call id was recorded: it committed if and only if it was.
 * - Events come from the database's event log, through the membership, in commit order.
 */
import type { MaybePromise, SharedEvents, SqlDriver, SqlRow, SqlValue, StoreEvent } from '@go-store/core';
import { lostGroup, NOT_NOW } from './leader.js';
import { joinDatabase, leaderError, type Membership, noSharing, type ReaderPort, type Session } from './membership.js';
import { type BrowserVfs, hasOpfsSyncAccess, noOpfsError } from './open-database.js';
import type { CommitAnswer, EventRecord, NewEvent, OpenAnswer, TabRequest, TabResponse } from './tab-protocol.js';

/** What a call is, for what happens to it when the leader changes. */
type Kind = 'plain' | 'group' | 'rollback' | 'commit' | 'settle';

interface Pending {
  request: TabRequest;
  kind: Kind;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Group {
  readonly id: string;
  dead: boolean;
  events: NewEvent[];
}

/** Opens a session on the shared database `name`; resolves once the leader has answered. */
export async function openShared(name: string, vfs: BrowserVfs): Promise<SharedDriver> {
  if (!hasOpfsSyncAccess()) throw noOpfsError(name);
  if (typeof BroadcastChannel !== 'function' || globalThis.navigator?.locks === undefined) throw noSharing(name);
  const membership = await joinDatabase(name, vfs);
  const driver = new SharedDriver(membership);
  try {
    await driver.open();
  } catch (error) {
    driver.leave();
    throw error;
  }
  return driver;
}

/** One store's connection to a shared database. */
export class SharedDriver implements SqlDriver, Session {
  /** Reads made together travel together (one message), and are answered in order. */
  readonly concurrentReads = true;
  readonly events: SharedEvents;
  readonly #membership: Membership;
  readonly #session: string;
  readonly #pending = new Map<number, Pending>();
  #n = 0;
  #group: Group | undefined;
  #dispatch: ((events: readonly StoreEvent[]) => void) | undefined;
  #startSeq = Number.POSITIVE_INFINITY;
  #left = false;

  constructor(membership: Membership) {
    this.#membership = membership;
    this.#session = membership.addSession(this);
    this.events = {
      log: (events) => {
        if (this.#group !== undefined) {
          this.#group.events = events.map((e) => [e.type, e.group, e.key, e.value, e.timestamp.getTime()] as const);
        }
      },
      subscribe: (dispatch) => {
        this.#dispatch = dispatch;
      },
    };
  }

  /** Asks the leader for the log's head: events after it are this store's. */
  async open(): Promise<void> {
    const answer = (await this.#call('plain', { op: 'open' })) as OpenAnswer;
    this.#startSeq = answer.head;
    this.#membership.noteHead(answer.head);
  }

  all(sql: string, params: readonly SqlValue[]): MaybePromise<SqlRow[]> {
    return this.#statement({ op: 'all', sql, params }) as MaybePromise<SqlRow[]>;
  }

  get(sql: string, params: readonly SqlValue[]): MaybePromise<SqlRow | undefined> {
    return this.#statement({ op: 'get', sql, params }) as MaybePromise<SqlRow | undefined>;
  }

  run(sql: string, params: readonly SqlValue[]): MaybePromise<number> {
    if (this.#group !== undefined) return this.#statement({ op: 'run', sql, params }) as MaybePromise<number>;
    // Outside a transaction a write commits by itself: it is recorded under its call id.
    const call = `${this.#session}:${this.#n + 1}`;
    return this.#directOr('plain', { op: 'run', sql, params, call }) as MaybePromise<number>;
  }

  exec(sql: string): MaybePromise<void> {
    return after(this.#statement({ op: 'exec', sql }), () => undefined);
  }

  /** Starts a transaction; it travels with the transaction's first statement. */
  begin(): void {
    const group: Group = { id: `${this.#session}:g${this.#n + 1}`, dead: false, events: [] };
    this.#group = group;
    try {
      const begun = this.#directOr('group', { op: 'begin', g: group.id });
      // Its failure, if any, is the answer to the group's next call: nothing to wait for here.
      if (begun instanceof Promise) begun.catch(() => undefined);
    } catch {
      // Begun directly and failed: the leader keeps the failure for the group's next call.
    }
  }

  commit(): MaybePromise<void> {
    const group = this.#group;
    this.#group = undefined;
    if (group === undefined) return;
    if (group.dead) throw lostGroup();
    const answer = this.#directOr('commit', { op: 'commit', g: group.id, call: group.id, events: group.events });
    if (answer instanceof Promise) {
      return answer.then((settled) => {
        if (!(settled as CommitAnswer).committed) throw lostGroup();
      });
    }
    // Committed by this context's own leader: its events are out, unless this context is
    // still catching up with the log, in which case they come in order after what it missed.
    const { seq } = answer as CommitAnswer;
    if (!this.#membership.hasReached(seq)) return this.#membership.reached(seq);
  }

  rollback(): MaybePromise<void> {
    const group = this.#group;
    this.#group = undefined;
    if (group === undefined || group.dead) return;
    return after(this.#directOr('rollback', { op: 'rollback', g: group.id }), () => undefined);
  }

  async close(): Promise<void> {
    try {
      await this.#call('plain', { op: 'close' });
    } finally {
      this.leave();
    }
  }

  /** See {@link Membership.offerReaders}. */
  offerReaders(listener: (reader: ReaderPort) => void): void {
    this.#membership.offerReaders(listener);
  }

  /** Leaves the membership (the last session to leave ends it). */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    this.#membership.removeSession(this.#session);
  }

  receive(response: TabResponse): void {
    const pending = this.#pending.get(response.n);
    if (pending === undefined) return;
    if (!response.ok) {
      this.#pending.delete(response.n);
      pending.reject(leaderError(response));
      return;
    }
    if (pending.kind === 'commit' || pending.kind === 'settle') {
      this.#pending.delete(response.n);
      const answer = response.value as CommitAnswer;
      // The commit's own events are delivered before its Promise resolves.
      if (answer.committed) this.#membership.reached(answer.seq).then(() => pending.resolve(answer));
      else pending.resolve(answer);
      return;
    }
    this.#pending.delete(response.n);
    pending.resolve(response.value);
  }

  leaderChanged(): void {
    if (this.#group !== undefined) this.#group.dead = true;
    for (const [n, pending] of [...this.#pending]) {
      switch (pending.kind) {
        case 'plain':
        case 'settle':
          this.#membership.send(pending.request);
          break;
        case 'group':
          this.#pending.delete(n);
          pending.reject(lostGroup());
          break;
        case 'rollback':
          // The old leader's connection went with it, and the transaction with it.
          this.#pending.delete(n);
          pending.resolve(undefined);
          break;
        case 'commit': {
          // Did it commit before the leader went away? The new leader knows from its record.
          const call = (pending.request as { call: string }).call;
          pending.kind = 'settle';
          pending.request = { s: this.#session, n, op: 'settle', call };
          this.#membership.send(pending.request);
          break;
        }
      }
    }
  }

  deliver(records: readonly EventRecord[]): void {
    const dispatch = this.#dispatch;
    if (dispatch === undefined) return;
    const events: StoreEvent[] = [];
    for (const [seq, type, group, key, value, at] of records) {
      if (seq > this.#startSeq) events.push({ type, group, key, value, timestamp: new Date(at) });
    }
    if (events.length > 0) dispatch(events);
  }

  /** A statement: part of the open transaction, if there is one. */
  #statement(body: DistributiveOmit<TabRequest, 's' | 'n'>): MaybePromise<unknown> {
    const group = this.#group;
    if (group === undefined) return this.#directOr('plain', body);
    if (group.dead) return Promise.reject(lostGroup());
    return this.#directOr('group', { ...body, g: group.id });
  }

  /**
   * Runs the call at once when this context leads and none of this store's calls is still on
   * its way (so the call cannot overtake one); otherwise sends it. A direct answer is
   * synchronous, as from a driver without sharing, and so is its error.
   */
  #directOr(kind: Kind, body: DistributiveOmit<TabRequest, 's' | 'n'>): MaybePromise<unknown> {
    const leader = this.#membership.localLeader;
    if (leader !== undefined && this.#pending.size === 0) {
      const n = this.#n + 1;
      let answer: unknown;
      try {
        answer = leader.direct({ ...body, s: this.#session, n } as TabRequest);
      } catch (error) {
        this.#n = n;
        throw error;
      }
      if (answer !== NOT_NOW) {
        this.#n = n;
        return answer;
      }
    }
    return this.#call(kind, body);
  }

  #call(kind: Kind, body: DistributiveOmit<TabRequest, 's' | 'n'>): Promise<unknown> {
    const n = ++this.#n;
    const request = { ...body, s: this.#session, n } as TabRequest;
    return new Promise((resolve, reject) => {
      this.#pending.set(n, { request, kind, resolve, reject });
      this.#membership.send(request);
    });
  }
}

/** Applies `fn` to a value now, or once it resolves. */
function after<T, R>(value: MaybePromise<T>, fn: (value: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
