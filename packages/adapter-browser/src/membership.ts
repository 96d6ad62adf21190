/**
 * One context's part in a shared database: its candidacy for leadership, its channel to the
 * leader, and its copy of the event stream.
 *
 * Every context (a dedicated worker: the page's database worker, or one of the app's) that has
 * a database open is a member. Each member asks for the database's Web Lock
 * ({@link leaderLockName}) and waits; the browser grants it to one member, the leader, which
 * opens the database and announces itself on the database's BroadcastChannel. When the leader's
 * context goes away (closed, navigated, crashed, killed) the browser releases the lock and
 * grants it to the next member, which takes over; every member then re-sends the calls the old
 * leader left unanswered (see shared-driver.ts) and reads the events it has not seen yet from
 * the log in the database, so none is missed and none is seen twice.
 *
 * (One file, past 500 lines: the channel, the port and the leader's output share one context's
 * state, which split across files each would have to reach into.)
 *
 * A follower whose page gave it a port to the port broker (see port-broker.ts) asks for a port
 * straight to each new leader, and once the leader confirms it, and no call sent on the channel
 * is still unanswered (so that no call overtakes an earlier one), sends its calls there.
 */
import { DriverError } from '@go-store/core';
import { Leader, prepareLeaderTables } from './leader.js';
import { type BrowserVfs, openDatabase } from './open-database.js';
import { BROKER_PROTOCOL, type BrokerMessage } from './port-broker.js';
import type { SerialisedError } from './protocol.js';
import { deserialiseError } from './protocol.js';
import type { SqliteWasmDriver } from './sqlite-wasm-driver.js';
import { loadSqlite3 } from './sqlite3.js';
import {
  channelName,
  type EventRecord,
  leaderLockName,
  memberLockName,
  TAB_PROTOCOL,
  type TabMessage,
  type TabRequest,
  type TabResponse,
  tabRequestCodec,
} from './tab-protocol.js';
import { type Answers, decodeAnswers, decodeCalls, encodeCalls, type Wire } from './wire.js';

/**
 * A port on which the page whose database worker this is may send its stores' plain reads
 * straight to the leader (see worker-host.ts), or undefined: the page has none (any more), and
 * sends reads through its worker. `leader` and `member` address the page's `req` messages.
 */
export type ReaderPort = { readonly port: MessagePort; readonly leader: string; readonly member: string } | undefined;

/** A store's side of the membership (its driver). */
export interface Session {
  /** The leader answered one of this session's calls. */
  receive(response: TabResponse): void;
  /** Another context leads now: calls sent to the old leader will not be answered. */
  leaderChanged(): void;
  /** Committed events, in order, each once. */
  deliver(records: readonly EventRecord[]): void;
}

// How long a new leader keeps trying to open a database whose files the old leader's context
// still holds (the browser frees them a moment after the context is gone).
const OPEN_RETRY_MS = 5_000;
const OPEN_RETRY_PAUSE_MS = 50;

const members = new Map<string, Membership>();
/** This context's port to the port broker, if its page gave it one. */
let broker: MessagePort | undefined;

/** Uses `port` to reach the port broker (see port-broker.ts): the page's database worker does. */
export function useBroker(port: MessagePort): void {
  broker = port;
  port.onmessage = ({ data }: MessageEvent<BrokerMessage>) => {
    if (data?.v !== BROKER_PROTOCOL || data.t !== 'client') return;
    const member = members.get(data.key);
    if (member === undefined) data.port.close();
    else member.acceptClient(data.leader, data.member, data.port, data.reader === true);
  };
}

/** Joins the shared database `name` (or returns this context's membership of it). */
export async function joinDatabase(name: string, vfs: BrowserVfs): Promise<Membership> {
  const key = `${vfs}:${name}`;
  let member = members.get(key);
  if (member === undefined) {
    member = new Membership(name, vfs, key, () => members.delete(key));
    members.set(key, member);
  }
  await member.ready;
  return member;
}

/** This context's membership of one shared database. */
export class Membership {
  /** This member's id, unique across contexts. */
  readonly id = randomId();
  /** The session id of the member's own calls (reading the event log). */
  readonly #ownSession = `${this.id}/0`;
  /** Resolves once the member may send (its liveness lock is held). */
  readonly ready: Promise<void>;
  readonly #name: string;
  readonly #vfs: BrowserVfs;
  readonly #key: string;
  readonly #channel: BroadcastChannel;
  readonly #abort = new AbortController();
  readonly #onClose: () => void;
  readonly #sessions = new Map<string, Session>();
  readonly #reached: Array<{ seq: number; resolve: () => void }> = [];
  #nextSession = 1;
  #nextCall = 1;
  #leaderId: string | undefined;
  #leader: Leader | undefined;
  #watched = new Set<string>();
  #leaderAbort: AbortController | undefined;
  #resign: (() => void) | undefined;
  #releaseMember: (() => void) | undefined;
  #outgoing: TabRequest[] = [];
  #flushing = false;
  #lastSeq: number | undefined;
  #catchingUp = false;
  #closed = false;
  /** As leader: the followers that send their calls on a port of their own, by member id. */
  #clients = new Map<string, MessagePort>();
  /** As follower: the port offered to the leader; whether it confirmed it; whether calls use it. */
  #port: MessagePort | undefined;
  #portConfirmed = false;
  #portInUse = false;
  /** As follower: calls sent to the current leader and not answered yet. */
  #unanswered = 0;
  /** As leader: the pages that send their plain reads on a port of their own, by reader id. */
  #readers = new Map<string, MessagePort>();
  /** As follower: who is told of the page's reader port (see {@link ReaderPort}). */
  #onReader: ((reader: ReaderPort) => void) | undefined;
  /** As follower: the reader port asked of the leader, until it confirms it. */
  #readerOffered: MessagePort | undefined;
  /** As follower: whether the page was given a reader port for the current leader. */
  #readerGiven = false;

  constructor(name: string, vfs: BrowserVfs, key: string, onClose: () => void) {
    this.#name = name;
    this.#vfs = vfs;
    this.#key = key;
    this.#onClose = onClose;
    this.#channel = new BroadcastChannel(channelName(vfs, name));
    this.#channel.onmessage = (event: MessageEvent<TabMessage>) => this.#onMessage(event.data);
    // Every member may have to take over: with sqlite-wasm already loaded, a failover does not
    // wait for the engine to start.
    loadSqlite3().catch(() => undefined);
    this.ready = this.#holdMemberLock().then(() => {
      this.#post({ v: TAB_PROTOCOL, t: 'hello' });
      this.#campaign();
    });
  }

  /** Registers a store's session; returns its id. */
  addSession(session: Session): string {
    const id = `${this.id}/${this.#nextSession++}`;
    this.#sessions.set(id, session);
    return id;
  }

  /** Unregisters a session; the last one to leave ends the membership. */
  removeSession(id: string): void {
    this.#sessions.delete(id);
    if (this.#sessions.size === 0) this.#close();
  }

  /** Sends a call to the leader (batched with the others of this turn). */
  send(request: TabRequest): void {
    this.#outgoing.push(request);
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => {
      this.#flushing = false;
      this.#flush();
    });
  }

  /** A session opened when the log's head was `head`: this member follows the log from there. */
  noteHead(head: number): void {
    if (this.#lastSeq === undefined) this.#lastSeq = head;
    else if (this.#lastSeq < head) this.#catchUp();
  }

  /** Resolves once the events up to `seq` have been delivered. */
  reached(seq: number): Promise<void> {
    if (this.#lastSeq === undefined || this.#lastSeq >= seq) return Promise.resolve();
    this.#catchUp();
    return new Promise((resolve) => this.#reached.push({ seq, resolve }));
  }

  /** Whether this context is the leader now. */
  get leading(): boolean {
    return this.#leader !== undefined;
  }

  /** The leader, when it is this context and serving: its own stores may call it directly. */
  get localLeader(): Leader | undefined {
    return this.#closed || this.#leaderId === undefined ? undefined : this.#leader;
  }

  /**
   * Gives the page a port straight to the leader for its plain reads whenever this member
   * follows one that has confirmed it, and tells it when that port is no longer to be used
   * (before anything else it hears of the next leader). A page's worker calls this once per
   * database; only the last listener is told.
   */
  offerReaders(listener: (reader: ReaderPort) => void): void {
    this.#onReader = listener;
    if (this.#leaderId !== undefined && !this.#readerGiven && this.#readerOffered === undefined) {
      this.#offerReader(this.#leaderId);
    }
  }

  /** Whether every event up to `seq` has been delivered here. */
  hasReached(seq: number): boolean {
    return this.#lastSeq === undefined || this.#lastSeq >= seq;
  }

  #flush(): void {
    if (this.#closed || this.#leaderId === undefined || this.#outgoing.length === 0) return;
    const batch = this.#outgoing;
    this.#outgoing = [];
    if (this.#leader !== undefined) {
      this.#leader.handle(this.id, batch);
      return;
    }
    const message: TabMessage = {
      v: TAB_PROTOCOL,
      t: 'req',
      to: this.#leaderId,
      from: this.id,
      batch: encodeCalls(tabRequestCodec, batch),
    };
    // The port once nothing sent on the channel can still arrive after what goes on the port.
    if (this.#portConfirmed && this.#unanswered === 0) this.#portInUse = true;
    this.#unanswered += batch.length;
    if (this.#portInUse) this.#port?.postMessage(message);
    else this.#post(message);
  }

  /**
   * As leader `leader`: `member` sends its calls on `port` from now on (see port-broker.ts);
   * answers and events for it go there too.
   */
  acceptClient(leader: string, member: string, port: MessagePort, reader = false): void {
    if (this.#closed || this.#leader === undefined || leader !== this.#leaderId) {
      port.close();
      return;
    }
    // A page's reader port carries reads only: answers go there, events do not.
    const ports = reader ? this.#readers : this.#clients;
    ports.get(member)?.close();
    ports.set(member, port);
    port.onmessage = ({ data }: MessageEvent<TabMessage>) => this.#onMessage(data);
    port.postMessage({ v: TAB_PROTOCOL, t: 'port', from: leader } satisfies TabMessage);
  }

  /** As follower: asks the broker for a port to the new leader `id`. */
  #offerPort(id: string): void {
    if (broker === undefined || this.#leader !== undefined) return;
    const port = this.#connect(broker, id, this.id, false);
    this.#port = port;
    port.onmessage = ({ data }: MessageEvent<TabMessage>) => {
      if (this.#port !== port) return;
      if (data?.v === TAB_PROTOCOL && data.t === 'port') this.#portConfirmed = data.from === this.#leaderId;
      else this.#onMessage(data);
    };
  }

  /**
   * As follower: asks the broker for a second port to the new leader `id`, for the page's
   * reads, and hands it to the page once the leader confirms it.
   */
  #offerReader(id: string): void {
    if (broker === undefined || this.#leader !== undefined || this.#onReader === undefined) return;
    const member = `${this.id}${READER}`;
    const port = this.#connect(broker, id, member, true);
    this.#readerOffered = port;
    port.onmessage = ({ data }: MessageEvent<TabMessage>) => {
      if (this.#readerOffered !== port || data?.v !== TAB_PROTOCOL || data.t !== 'port') return;
      this.#readerOffered = undefined;
      if (data.from !== this.#leaderId) {
        port.close();
        return;
      }
      port.onmessage = null;
      this.#readerGiven = true;
      this.#onReader?.({ port, leader: id, member });
    };
  }

  /**
   * Asks `broker` to pass leader `id` a new port from `member` (a page's `reader`, or the
   * member itself); returns this end, whose messages wait until it is listened to.
   */
  #connect(broker: MessagePort, id: string, member: string, reader: boolean): MessagePort {
    const { port1, port2 } = new MessageChannel();
    const connect: BrokerMessage = {
      v: BROKER_PROTOCOL,
      t: 'connect',
      key: this.#key,
      leader: id,
      member,
      port: port2,
    };
    broker.postMessage(reader ? { ...connect, reader: true } : connect, [port2]);
    return port1;
  }

  #dropPort(): void {
    this.#port?.close();
    this.#port = undefined;
    this.#portConfirmed = false;
    this.#portInUse = false;
    this.#unanswered = 0;
    this.#readerOffered?.close();
    this.#readerOffered = undefined;
    // The page re-sends the reads it sent on its port through this worker, which re-sends
    // them to the next leader: it hears this before any answer from that leader.
    if (this.#readerGiven) {
      this.#readerGiven = false;
      this.#onReader?.(undefined);
    }
  }

  #post(message: TabMessage): void {
    if (!this.#closed) this.#channel.postMessage(message);
  }

  #onMessage(message: TabMessage): void {
    if (this.#closed || message?.v !== TAB_PROTOCOL) return;
    switch (message.t) {
      case 'hello':
        if (this.#leader !== undefined && this.#leaderId !== undefined) {
          this.#post({ v: TAB_PROTOCOL, t: 'leader', id: this.#leaderId });
        }
        return;
      case 'leader':
        if (message.id !== this.#leaderId && this.#leader === undefined) this.#leaderChanged(message.id);
        return;
      case 'req':
        if (this.#leader === undefined || message.to !== this.#leaderId) return;
        // A page's reads come from its worker's member: they go when it goes.
        this.#watchMember(memberOfReader(message.from));
        this.#leader.handle(message.from, decodeRequests(message.batch));
        return;
      case 'res':
        if (message.to !== this.id || message.from !== this.#leaderId) return;
        decodeAnswers(message.batch, (s, n, ok, payload) => {
          this.#unanswered--;
          this.#receive(
            ok
              ? { s: s as string, n, ok: true, value: payload }
              : { s: s as string, n, ok: false, error: payload as SerialisedError },
          );
        });
        return;
      case 'ev':
        if (message.from === this.#leaderId) this.#onEvents(message.events);
        return;
    }
  }

  #receive(response: TabResponse): void {
    if (response.s === this.#ownSession) {
      this.#onCatchUp(response);
      return;
    }
    this.#sessions.get(response.s)?.receive(response);
  }

  #leaderChanged(id: string): void {
    this.#leaderId = id;
    this.#dropPort();
    this.#offerPort(id);
    this.#offerReader(id);
    // Calls not sent yet: the sessions re-send what may still be sent (never a call of a
    // transaction begun on the old leader).
    this.#outgoing = [];
    this.#catchingUp = false;
    for (const session of this.#sessions.values()) session.leaderChanged();
    // Whatever the old leader committed last and did not announce is in the log.
    if (this.#lastSeq !== undefined) this.#catchUp();
    this.#flush();
  }

  #onEvents(records: readonly EventRecord[]): void {
    if (this.#lastSeq === undefined) return;
    let last = this.#lastSeq;
    let start = 0;
    while (start < records.length && (records[start] as EventRecord)[0] <= last) start++;
    let end = start;
    while (end < records.length && (records[end] as EventRecord)[0] === last + 1) {
      last++;
      end++;
    }
    if (end > start) this.#deliver(records.slice(start, end), last);
    // A gap: some events never reached this member; the log has them.
    if (end < records.length) this.#catchUp();
  }

  #deliver(records: readonly EventRecord[], last: number): void {
    this.#lastSeq = last;
    for (const session of this.#sessions.values()) session.deliver(records);
    for (let i = this.#reached.length - 1; i >= 0; i--) {
      const waiter = this.#reached[i] as { seq: number; resolve: () => void };
      if (waiter.seq <= last) {
        this.#reached.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  #catchUp(): void {
    if (this.#catchingUp || this.#lastSeq === undefined) return;
    this.#catchingUp = true;
    this.send({ s: this.#ownSession, n: this.#nextCall++, op: 'log', since: this.#lastSeq });
  }

  #onCatchUp(response: TabResponse): void {
    this.#catchingUp = false;
    if (!response.ok) {
      // The leader could not read its log (it failed to open); nothing to deliver.
      return;
    }
    const records = response.value as EventRecord[];
    const first = records[0];
    // Events pruned before this member read them are gone: go on from the oldest kept.
    if (first !== undefined && this.#lastSeq !== undefined && first[0] > this.#lastSeq + 1) {
      this.#lastSeq = first[0] - 1;
    }
    this.#onEvents(records);
    if (records.length > 0 && this.#reached.length > 0) this.#catchUp();
  }

  async #holdMemberLock(): Promise<void> {
    const locks = navigator.locks;
    await new Promise<void>((granted, reject) => {
      locks
        .request(memberLockName(this.id), { signal: this.#abort.signal }, () => {
          granted();
          return new Promise<void>((release) => {
            this.#releaseMember = release;
          });
        })
        .catch(reject);
    });
  }

  /** Waits for the database's lock; once granted, this member leads until it closes. */
  #campaign(): void {
    navigator.locks
      .request(leaderLockName(this.#vfs, this.#name), { signal: this.#abort.signal }, async () => {
        if (this.#closed) return;
        await this.#lead();
        if (this.#closed) return;
        await new Promise<void>((resign) => {
          this.#resign = resign;
        });
      })
      .catch(() => {
        // Aborted: the member closed before it was granted the lock.
      });
  }

  async #lead(): Promise<void> {
    let db: SqliteWasmDriver | undefined;
    let failure: unknown;
    try {
      db = await openWithRetry(this.#name, this.#vfs);
      prepareLeaderTables(db);
    } catch (error) {
      db?.close();
      db = undefined;
      failure = error;
    }
    if (this.#closed) {
      db?.close();
      return;
    }
    const id = randomId();
    this.#leaderAbort = new AbortController();
    this.#watched = new Set();
    this.#clients = new Map();
    this.#readers = new Map();
    this.#leader = new Leader(db, failure, (events, own, others) => this.#output(id, events, own, others), this.id);
    this.#leaderChanged(id);
    this.#post({ v: TAB_PROTOCOL, t: 'leader', id });
    const lead: BrokerMessage = { v: BROKER_PROTOCOL, t: 'lead', key: this.#key, leader: id };
    broker?.postMessage(lead);
  }

  #output(
    id: string,
    events: readonly EventRecord[],
    own: readonly TabResponse[],
    others: ReadonlyMap<string, Answers>,
  ): void {
    // Events first: a writer's context sees its events before the answer to its commit.
    if (events.length > 0) {
      const message: TabMessage = { v: TAB_PROTOCOL, t: 'ev', from: id, events };
      this.#post(message);
      // A follower on a port gets them there too, ahead of its answers (it skips the copy it
      // reads on the channel by their sequence numbers).
      for (const port of this.#clients.values()) port.postMessage(message);
      this.#onEvents(events);
    }
    for (const response of own) this.#receive(response);
    for (const [member, wire] of others) {
      const message: TabMessage = { v: TAB_PROTOCOL, t: 'res', to: member, from: id, batch: wire.wire() };
      const port = this.#clients.get(member) ?? this.#readers.get(member);
      if (port === undefined) this.#post(message);
      else port.postMessage(message);
    }
  }

  /** As leader: learns when `member` goes away, to roll back a transaction it left open. */
  #watchMember(member: string): void {
    if (this.#watched.has(member)) return;
    this.#watched.add(member);
    const leader = this.#leader;
    navigator.locks
      .request(memberLockName(member), { signal: this.#leaderAbort?.signal }, () => {
        this.#watched.delete(member);
        if (this.#leader !== leader) return;
        const reader = `${member}${READER}`;
        leader?.forget(member);
        leader?.forget(reader);
        this.#clients.get(member)?.close();
        this.#clients.delete(member);
        this.#readers.get(reader)?.close();
        this.#readers.delete(reader);
      })
      .catch(() => {
        // This member stopped leading first.
      });
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose();
    this.#leaderAbort?.abort();
    this.#abort.abort();
    this.#leader?.stop();
    this.#leader = undefined;
    this.#resign?.();
    this.#releaseMember?.();
    this.#channel.close();
    this.#dropPort();
    for (const port of [...this.#clients.values(), ...this.#readers.values()]) port.close();
    this.#clients.clear();
    this.#readers.clear();
    for (const waiter of this.#reached.splice(0)) waiter.resolve();
  }
}

/** Opens the database, waiting while the previous leader's context still holds its files. */
async function openWithRetry(name: string, vfs: BrowserVfs): Promise<SqliteWasmDriver> {
  const deadline = Date.now() + OPEN_RETRY_MS;
  for (;;) {
    try {
      return await openDatabase(name, vfs);
    } catch (error) {
      const locked = (error as { code?: unknown }).code === 'LOCKED';
      if (!locked || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_PAUSE_MS));
    }
  }
}

function decodeRequests(wire: Wire): TabRequest[] {
  const batch: TabRequest[] = [];
  decodeCalls(tabRequestCodec, wire, (request) => batch.push(request));
  return batch;
}

/** What a member's id is followed by to name its page's reader (see {@link ReaderPort}). */
const READER = '|reads';

/** The member a caller belongs to: a page's reader belongs to its worker's member. */
function memberOfReader(caller: string): string {
  return caller.endsWith(READER) ? caller.slice(0, -READER.length) : caller;
}

function randomId(): string {
  return crypto.randomUUID();
}

/** Rebuilds an error the leader sent. */
export function leaderError(response: TabResponse & { ok: false }): Error {
  return deserialiseError(response.error);
}

/** The error for a browser without what sharing needs (Web Locks, BroadcastChannel). */
export function noSharing(name: string): DriverError {
  return new DriverError(
    `openStore: ${name}: this browser lacks Web Locks or BroadcastChannel, which sharing a database needs`,
    undefined,
  );
}
