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
import type { SharedEvents, SqlDriver, SqlRow, SqlValue, StoreEvent } from '@go-store/core';
import { lostGroup } from './leader.js';
import { joinDatabase, leaderError, type Membership, noSharing, type Session } from './membership.js';
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

  all(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.#statement({ op: 'all', sql, params }) as Promise<SqlRow[]>;
  }

  get(sql: string, params: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return this.#statement({ op: 'get', sql, params }) as Promise<SqlRow | undefined>;
  }

  run(sql: string, params: readonly SqlValue[]): Promise<number> {
    if (this.#group !== undefined) return this.#statement({ op: 'run', sql, params }) as Promise<number>;
    // Outside a transaction a write commits by itself: it is recorded under its call id.
    return this.#call('plain', { op: 'run', sql, params, call: `${this.#session}:${this.#n + 1}` }) as Promise<number>;
  }

  async exec(sql: string): Promise<void> {
    await this.#statement({ op: 'exec', sql });
  }

  /** Starts a transaction; it travels with the transaction's first statement. */
  begin(): void {
    const group: Group = { id: `${this.#session}:g${this.#n + 1}`, dead: false, events: [] };
    this.#group = group;
    // Its failure, if any, is the answer to the group's next call: nothing to wait for here.
    this.#call('group', { op: 'begin', g: group.id }).catch(() => undefined);
  }

  async commit(): Promise<void> {
    const group = this.#group;
    this.#group = undefined;
    if (group === undefined) return;
    if (group.dead) throw lostGroup();
    const answer = (await this.#call('commit', {
      op: 'commit',
      g: group.id,
      call: group.id,
      events: group.events,
    })) as CommitAnswer;
    if (!answer.committed) throw lostGroup();
  }

  async rollback(): Promise<void> {
    const group = this.#group;
    this.#group = undefined;
    if (group === undefined || group.dead) return;
    await this.#call('rollback', { op: 'rollback', g: group.id });
  }

  async close(): Promise<void> {
    try {
      await this.#call('plain', { op: 'close' });
    } finally {
      this.leave();
    }
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
  #statement(body: DistributiveOmit<TabRequest, 's' | 'n'>): Promise<unknown> {
    const group = this.#group;
    if (group === undefined) return this.#call('plain', body);
    if (group.dead) return Promise.reject(lostGroup());
    return this.#call('group', { ...body, g: group.id });
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
