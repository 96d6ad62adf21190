/**
 * The leader: the one context that has a shared database open. It runs every store's driver
 * calls, from its own context and from the others, one at a time on its single connection.
 *
 * - A store's transaction (a "group": `begin` … `commit`/`rollback`) holds the database: calls
 *   of other stores wait until it ends, so quota checks and transactions stay atomic across tabs.
 * - Exactly once: a write from another context outside a group, and every group's commit from
 *   another context, records the caller's call id in `go_store_calls` in the same transaction. A
 *   call re-sent to a new leader after the old one died is answered from that table instead of
 *   being applied twice. (The leader's own context needs no record: it cannot outlive itself.)
 * - Events: every event gets the next sequence number. While other contexts are there, a commit
 *   logs its events in `go_store_events` in the same transaction, so a change the old leader
 *   committed just before it died still reaches every context: each reads the log from the last
 *   number it saw. With no other context, nothing is logged and a write costs what it costs
 *   without sharing; a context that joins starts from the current number, which is persisted
 *   first, so numbers never go back.
 */
import { DriverError, type SqlValue } from '@go-store/core';
import { type SerialisedError, serialiseError } from './protocol.js';
import type { SqliteWasmDriver } from './sqlite-wasm-driver.js';
import type { CommitAnswer, EventRecord, NewEvent, OpenAnswer, TabRequest, TabResponse } from './tab-protocol.js';
import { Answers } from './wire.js';

const CREATE_CALLS =
  'CREATE TABLE IF NOT EXISTS go_store_calls (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ' +
  'result INTEGER NOT NULL, seq INTEGER NOT NULL)';
const CREATE_EVENTS =
  'CREATE TABLE IF NOT EXISTS go_store_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, ' +
  'grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, at INTEGER NOT NULL)';
const SELECT_CALL = 'SELECT result, seq FROM go_store_calls WHERE id = ?1';
const INSERT_CALL = 'INSERT INTO go_store_calls (id, result, seq) VALUES (?1, ?2, ?3)';
const INSERT_EVENT = 'INSERT INTO go_store_events (seq, type, grp, key, value, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)';
const SELECT_HEAD = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'go_store_events'), 0)";
// sqlite_sequence holds the highest number AUTOINCREMENT ever gave out; raising it persists the
// numbers handed out without logging.
const INSERT_HEAD =
  "INSERT INTO sqlite_sequence (name, seq) SELECT 'go_store_events', ?1 " +
  "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'go_store_events')";
const RAISE_HEAD = "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'go_store_events' AND seq < ?1";
const SELECT_EVENTS_AFTER =
  'SELECT seq, type, grp, key, value, at FROM go_store_events WHERE seq > ?1 ORDER BY seq LIMIT ?2';
const PRUNE_EVENTS = 'DELETE FROM go_store_events WHERE seq <= ?1';
const PRUNE_CALLS = 'DELETE FROM go_store_calls WHERE n <= (SELECT max(n) FROM go_store_calls) - ?1';

/**
 * How many events and call ids are kept. A context that falls further behind than this (a tab
 * frozen for long) misses the events in between; a call id is needed only while its caller may
 * re-send it, for the moments after a leader goes away.
 */
export const LOG_KEPT = 10_000;
const PRUNE_EVERY = 1_000;
const LOG_PAGE = 5_000;

/**
 * Where the leader's answers go: events for every context first, then each context's answers
 * (its own context's as they are; the others' laid out for the wire as they are made, so that
 * 1,000 reads do not make 1,000 answer objects first).
 */
export type LeaderOutput = (
  events: readonly EventRecord[],
  own: readonly TabResponse[],
  others: ReadonlyMap<string, Answers>,
) => void;

interface Queued {
  readonly member: string;
  readonly request: TabRequest;
}

/** The session holding the database in a group, and the group's id. */
interface Holder {
  readonly session: string;
  readonly group: string;
  /** Set when BEGIN failed: the group's calls fail with it until it ends. */
  failure?: unknown;
}

/** Creates the leader's tables (idempotent). */
export function prepareLeaderTables(db: SqliteWasmDriver): void {
  db.exec(CREATE_CALLS);
  db.exec(CREATE_EVENTS);
}

/** The context that owns the database, running every store's calls. */
export class Leader {
  readonly #db: SqliteWasmDriver | undefined;
  readonly #failure: unknown;
  readonly #output: LeaderOutput;
  readonly #self: string;
  /** The other contexts that have called, until they go away. */
  readonly #remote = new Set<string>();
  #seq = 0;
  #persistedSeq = 0;
  #queue: Queued[] = [];
  #holder: Holder | undefined;
  #events: EventRecord[] = [];
  #own: TabResponse[] = [];
  #others = new Map<string, Answers>();
  #sincePrune = 0;
  #stopped = false;
  /** Set while calls run, so that a call made from an event listener meanwhile waits its turn. */
  #running = false;

  /**
   * A leader over `db`, or, when the database could not be opened, one that answers every call
   * with `failure` (so that each store's `openStore` rejects with the real reason).
   */
  constructor(db: SqliteWasmDriver | undefined, failure: unknown, output: LeaderOutput, self: string) {
    this.#db = db;
    this.#failure = failure;
    this.#output = output;
    this.#self = self;
    if (db !== undefined) {
      this.#seq = Number(db.get(SELECT_HEAD, [])?.[0] ?? 0);
      this.#persistedSeq = this.#seq;
    }
  }

  /** Runs (or queues) a batch of calls from `member`, then sends out the answers. */
  handle(member: string, batch: readonly TabRequest[]): void {
    if (this.#stopped) return;
    if (member !== this.#self) this.#remote.add(member);
    let from = 0;
    if (this.#queue.length === 0 && !this.#running) {
      // Nothing waits before these: they run in order, without queueing, until one has to wait
      // for another store's group to end.
      this.#running = true;
      try {
        for (; from < batch.length; from++) {
          const request = batch[from] as TabRequest;
          const holder = this.#holder;
          if (holder !== undefined && holder.session !== request.s) break;
          this.#run(member, request);
        }
      } finally {
        this.#running = false;
      }
    }
    for (; from < batch.length; from++) this.#queue.push({ member, request: batch[from] as TabRequest });
    this.#drain();
  }

  /**
   * Runs a call of a store in the leader's own context at once, without a message or a
   * microtask, when nothing has to go before it: no other store holds the database in a group,
   * and (the caller checks) none of the store's own calls is still waiting. Returns its answer,
   * throws its error, or returns {@link NOT_NOW} when it must wait its turn through
   * {@link Leader.handle}. Events it commits are sent out before it returns.
   */
  direct(request: TabRequest): unknown {
    if (this.#stopped || this.#running || this.#db === undefined || !DIRECT_OPS.has(request.op)) return NOT_NOW;
    const holder = this.#holder;
    if (holder !== undefined && holder.session !== request.s) return NOT_NOW;
    this.#running = true;
    try {
      return this.#execute(request);
    } finally {
      this.#running = false;
      // A group that ended lets the calls waiting for it run; committed events go out.
      if (this.#queue.length > 0 || this.#events.length > 0) this.#drain();
    }
  }

  /** A context went away: its open group is rolled back and its waiting calls dropped. */
  forget(member: string): void {
    if (this.#stopped) return;
    this.#remote.delete(member);
    this.#queue = this.#queue.filter((queued) => queued.member !== member);
    const holder = this.#holder;
    if (holder !== undefined && memberOf(holder.session) === member) this.#endGroup(true);
    this.#drain();
  }

  /** Stops serving and closes the database (an open group is rolled back by the close). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#queue = [];
    if (this.#holder !== undefined) this.#endGroup(true);
    try {
      this.#db?.close();
    } catch {
      // Closing can fail only if a statement is still open; the handles go with the context.
    }
  }

  #drain(): void {
    this.#running = true;
    try {
      this.#drainQueue();
    } finally {
      this.#running = false;
    }
    this.#flush();
  }

  #drainQueue(): void {
    const waiting: Queued[] = [];
    const blocked = new Set<string>();
    // Runs every call whose session may go now, keeping each session's calls in order. A call
    // that ends a group frees the database for the calls queued behind it, so loop until no
    // call can run.
    let queue = this.#queue;
    this.#queue = [];
    for (;;) {
      let ran = false;
      for (const queued of queue) {
        const session = queued.request.s;
        const holder = this.#holder;
        if (blocked.has(session) || (holder !== undefined && holder.session !== session)) {
          blocked.add(session);
          waiting.push(queued);
          continue;
        }
        this.#run(queued.member, queued.request);
        ran = true;
      }
      if (!ran || waiting.length === 0 || this.#holder !== undefined) break;
      queue = waiting.splice(0);
      blocked.clear();
    }
    this.#queue = [...waiting, ...this.#queue];
  }

  #flush(): void {
    if (this.#events.length === 0 && this.#own.length === 0 && this.#others.size === 0) return;
    const events = this.#events;
    const own = this.#own;
    const others = this.#others;
    this.#events = [];
    this.#own = [];
    this.#others = new Map();
    this.#output(events, own, others);
  }

  #run(member: string, request: TabRequest): void {
    const { s, n } = request;
    let ok = true;
    let payload: unknown;
    try {
      payload = this.#execute(request);
    } catch (error) {
      ok = false;
      payload = serialiseError(error);
    }
    if (member === this.#self) {
      this.#own.push(ok ? { s, n, ok, value: payload } : { s, n, ok, error: payload as SerialisedError });
      return;
    }
    let wire = this.#others.get(member);
    if (wire === undefined) {
      wire = new Answers();
      this.#others.set(member, wire);
    }
    wire.add(s, n, ok, payload);
  }

  #execute(request: TabRequest): unknown {
    if (this.#db === undefined) throw this.#failure;
    const db = this.#db;
    const holder = this.#holder;
    if (request.op === 'close') {
      if (holder?.session === request.s) this.#endGroup(true);
      return undefined;
    }
    if (request.g !== undefined) {
      if (holder?.session !== request.s || holder.group !== request.g) {
        if (request.op === 'rollback') return undefined;
        if (request.op !== 'begin') throw lostGroup();
      } else if (request.op === 'begin') {
        throw new DriverError('a transaction is already open', undefined);
      } else if (holder.failure !== undefined && request.op !== 'rollback') {
        throw holder.failure;
      }
    }
    switch (request.op) {
      case 'open':
        if (memberOf(request.s) !== this.#self) this.#persistHead();
        return { head: this.#seq } satisfies OpenAnswer;
      case 'get':
        return db.get(request.sql, request.params);
      case 'all':
        return db.all(request.sql, request.params);
      case 'exec':
        return db.exec(request.sql);
      case 'run':
        if (request.g === undefined && request.call !== undefined && memberOf(request.s) !== this.#self) {
          return this.#runOnce(request.call, request);
        }
        return db.run(request.sql, request.params);
      case 'begin': {
        const group: Holder = { session: request.s, group: request.g ?? '' };
        this.#holder = group;
        try {
          db.begin();
        } catch (error) {
          group.failure = error;
          throw error;
        }
        return undefined;
      }
      case 'commit':
        return this.#commit(request.call, request.events, memberOf(request.s) !== this.#self);
      case 'rollback':
        this.#endGroup(true);
        return undefined;
      case 'settle': {
        const row = db.get(SELECT_CALL, [request.call]);
        return { committed: row !== undefined, seq: Number(row?.[1] ?? 0) } satisfies CommitAnswer;
      }
      case 'log':
        return this.#eventsAfter(request.since);
    }
  }

  /** A write outside any group: applied and recorded at once, or answered from the record. */
  #runOnce(call: string, request: { readonly sql: string; readonly params: readonly SqlValue[] }): number {
    const db = this.#db as SqliteWasmDriver;
    const done = db.get(SELECT_CALL, [call]);
    if (done !== undefined) return Number(done[0]);
    db.begin();
    try {
      const changed = db.run(request.sql, request.params);
      db.run(INSERT_CALL, [call, changed, this.#seq]);
      db.commit();
      this.#afterCommit();
      return changed;
    } catch (error) {
      rollbackQuietly(db);
      throw error;
    }
  }

  #commit(call: string, events: readonly NewEvent[], remote: boolean): CommitAnswer {
    const db = this.#db as SqliteWasmDriver;
    const before = this.#seq;
    const log = this.#remote.size > 0;
    const records: EventRecord[] = [];
    try {
      for (const [type, group, key, value, at] of events) {
        const seq = ++this.#seq;
        if (log) db.run(INSERT_EVENT, [seq, type, group, key, value, at]);
        records.push([seq, type, group, key, value, at]);
      }
      if (remote) db.run(INSERT_CALL, [call, 0, this.#seq]);
      db.commit();
    } catch (error) {
      this.#seq = before;
      this.#endGroup(true);
      throw error;
    }
    if (log) this.#persistedSeq = this.#seq;
    const seq = this.#seq;
    this.#holder = undefined;
    this.#events.push(...records);
    this.#afterCommit();
    return { committed: true, seq };
  }

  /** Ends the open group; with `rollback`, undoing it. */
  #endGroup(rollback: boolean): void {
    this.#holder = undefined;
    if (rollback && this.#db !== undefined) rollbackQuietly(this.#db);
  }

  #afterCommit(): void {
    if (++this.#sincePrune < PRUNE_EVERY) return;
    this.#sincePrune = 0;
    const db = this.#db as SqliteWasmDriver;
    // Pruning is housekeeping: if it fails, it is tried again after the next commits.
    try {
      db.run(PRUNE_EVENTS, [this.#seq - LOG_KEPT]);
      db.run(PRUNE_CALLS, [LOG_KEPT]);
    } catch {
      // Kept for the next attempt.
    }
  }

  /**
   * Persists the numbers handed out so far, before another context starts following them: the
   * next leader then never hands one out again.
   */
  #persistHead(): void {
    if (this.#persistedSeq >= this.#seq) return;
    const db = this.#db as SqliteWasmDriver;
    db.begin();
    try {
      db.run(INSERT_HEAD, [this.#seq]);
      db.run(RAISE_HEAD, [this.#seq]);
      db.commit();
    } catch (error) {
      rollbackQuietly(db);
      throw error;
    }
    this.#persistedSeq = this.#seq;
  }

  #eventsAfter(since: number): EventRecord[] {
    const rows = (this.#db as SqliteWasmDriver).all(SELECT_EVENTS_AFTER, [since, LOG_PAGE]);
    return rows.map(
      (row) =>
        [
          Number(row[0]),
          row[1] as EventRecord[1],
          String(row[2]),
          String(row[3]),
          String(row[4]),
          Number(row[5]),
        ] as const,
    );
  }
}

/** What {@link Leader.direct} returns for a call that has to wait its turn. */
export const NOT_NOW: unique symbol = Symbol('not now');

// The calls a store makes of its driver; opening, closing and the membership's own calls
// always take the queue.
const DIRECT_OPS = new Set<TabRequest['op']>(['get', 'all', 'run', 'exec', 'begin', 'commit', 'rollback']);

/** The context (member) a session id belongs to: sessions are named `member/number`. */
export function memberOf(session: string): string {
  return session.slice(0, session.lastIndexOf('/'));
}

/** The error for a call of a transaction that was open on a leader that has gone away. */
export function lostGroup(): DriverError {
  return new DriverError(
    'the transaction was rolled back: the tab that had the database open went away; try again',
    undefined,
    { retryable: true },
  );
}

function rollbackQuietly(db: SqliteWasmDriver): void {
  try {
    db.rollback();
  } catch {
    // No transaction was open (BEGIN failed, or the engine rolled back by itself).
  }
}
