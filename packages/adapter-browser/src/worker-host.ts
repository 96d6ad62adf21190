/**
 * The page's channel to the dedicated worker that owns its databases. One worker serves every
 * store a page opens with the same worker URL (starting sqlite-wasm costs more than opening a
 * database), and it is terminated when the last of those stores closes. The calls made in one
 * turn of the page's event loop travel to the worker as one message.
 *
 * When another tab leads a database, the worker passes the page's calls on to it; it also gives
 * the page a port straight to that leader ({@link ReaderNotice}), and the page sends its stores'
 * plain reads there (one hop and one copy each way instead of two) whenever none of its calls
 * through the worker is unanswered, so that a read never overtakes a write sent before it. When
 * that leader goes away the worker says so first, and the page sends the reads it has no
 * answer to through the worker, which sends them on to the next leader: as every call, they
 * settle once.
 */
import { DriverError, type StoreEvent } from '@go-store/core';
import type { BrokerHello } from './port-broker.js';
import {
  ANSWER,
  deserialiseError,
  type ReaderNotice,
  type Request,
  requestCodec,
  type SerialisedError,
} from './protocol.js';
import { TAB_PROTOCOL, type TabMessage, type TabRequest, tabRequestCodec } from './tab-protocol.js';
import { decodeAnswers, encodeCalls, type ReadCall, type Wire } from './wire.js';

/** A request without the ids the host fills in. */
export type Call = Request extends infer R ? (R extends Request ? Omit<R, 'id' | 'db'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A read sent straight to the leader: what to send through the worker if the leader goes. */
interface DirectRead extends Pending {
  readonly db: number;
  readonly call: ReadCall;
}

/** A port straight to the leader of one database, for the page's plain reads. */
interface Reader {
  readonly port: MessagePort;
  readonly leader: string;
  readonly member: string;
  /** The session the leader knows these reads by (no transaction is ever its). */
  readonly session: string;
  readonly pending: Map<number, DirectRead>;
  outbox: TabRequest[];
  n: number;
}

const hosts = new Map<string, WorkerHost>();

/** The host for `url`, started if none is running; pair with {@link WorkerHost.release}. */
export function acquireHost(url: string | URL): WorkerHost {
  const key = String(url);
  let host = hosts.get(key);
  if (host === undefined || host.stopped) {
    host = new WorkerHost(url, () => hosts.delete(key));
    hosts.set(key, host);
  }
  host.refs++;
  return host;
}

/** A running database worker and the calls waiting for its answers. */
export class WorkerHost {
  /** Stores using this worker; it stops when the count falls to zero. */
  refs = 0;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, (events: readonly StoreEvent[]) => void>();
  /** Ports straight to other tabs' leaders, by database (`vfs:name`). */
  readonly #readers = new Map<string, Reader>();
  readonly #onStop: () => void;
  #outbox: Request[] = [];
  #nextId = 1;
  #nextDb = 1;
  #failure: Error | undefined;

  constructor(url: string | URL, onStop: () => void) {
    this.#onStop = onStop;
    this.#worker = new Worker(url, { type: 'module', name: 'go-store' });
    this.#worker.onmessage = (event: MessageEvent<Wire | ReaderNotice>) => {
      const data = event.data;
      // (Array.isArray does not narrow a readonly array type, hence the cast.)
      if (!Array.isArray(data)) this.#onReader(data as ReaderNotice);
      else decodeAnswers(data, (to, kind, ok, payload) => this.#settle(to as number, kind, ok, payload));
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      // The browser says nothing more when a module worker fails to load: a missing file, a
      // wrong MIME type, and an import it cannot resolve all end here.
      const reason =
        event.message ||
        `its script ${String(url)} did not load: check that this URL serves the package's dist/worker.js ` +
          'with a JavaScript MIME type (or pass workerUrl to openStore), and see the console for the reason';
      this.#stop(new DriverError(`openStore: the database worker failed: ${reason}`, event.error));
    };
    this.#worker.onmessageerror = () => {
      this.#stop(new DriverError('openStore: a message from the database worker could not be read', undefined));
    };
    connectBroker(url, this.#worker);
  }

  /** Whether the worker has been terminated (a new host is then needed). */
  get stopped(): boolean {
    return this.#failure !== undefined;
  }

  /** A new connection id for this worker. */
  connection(): number {
    return this.#nextDb++;
  }

  /** Sends one call for connection `db` and resolves to the worker's answer. */
  call(db: number, call: Call): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#outbox.push({ ...call, id, db } as Request);
      if (this.#outbox.length === 1) queueMicrotask(() => this.#flush());
    });
  }

  /**
   * Sends a plain read (not part of a transaction) for connection `db` of the database
   * `database` (`vfs:name`): straight to its leader when the page has a port to it and no call
   * through the worker is unanswered, else as {@link WorkerHost.call}.
   */
  read(db: number, database: string, read: ReadCall): Promise<unknown> {
    const reader = this.#readers.get(database);
    if (reader === undefined || this.#pending.size > 0 || this.#failure !== undefined) return this.call(db, read);
    const n = ++reader.n;
    return new Promise((resolve, reject) => {
      reader.pending.set(n, { db, call: read, resolve, reject });
      reader.outbox.push({ op: read.op, sql: read.sql, params: read.params, s: reader.session, n });
      if (reader.outbox.length === 1) queueMicrotask(() => this.#flushReader(database, reader));
    });
  }

  /** Receives the events committed to connection `db`'s database (every context's writes). */
  listen(db: number, listener: (events: readonly StoreEvent[]) => void): void {
    this.#listeners.set(db, listener);
  }

  #flush(): void {
    const batch = this.#outbox;
    this.#outbox = [];
    if (this.#failure === undefined) this.#worker.postMessage(encodeCalls(requestCodec, batch));
  }

  #flushReader(database: string, reader: Reader): void {
    const batch = reader.outbox;
    reader.outbox = [];
    // A reader dropped meanwhile has sent its reads through the worker already.
    if (this.#readers.get(database) !== reader) return;
    const message: TabMessage = {
      v: TAB_PROTOCOL,
      t: 'req',
      to: reader.leader,
      from: reader.member,
      batch: encodeCalls(tabRequestCodec, batch),
    };
    reader.port.postMessage(message);
  }

  /** The worker gave the page a port to a database's leader, or took it back. */
  #onReader(notice: ReaderNotice): void {
    this.#dropReader(notice.reader, true);
    const { port, leader, member } = notice;
    if (port === undefined || leader === undefined || member === undefined || this.#failure !== undefined) {
      port?.close();
      return;
    }
    const reader: Reader = { port, leader, member, session: `${member}/0`, pending: new Map(), outbox: [], n: 0 };
    this.#readers.set(notice.reader, reader);
    port.onmessage = ({ data }: MessageEvent<TabMessage>) => {
      if (data?.v !== TAB_PROTOCOL || data.t !== 'res') return;
      decodeAnswers(data.batch, (_session, n, ok, payload) => {
        const read = reader.pending.get(n);
        if (read === undefined) return;
        reader.pending.delete(n);
        if (ok) read.resolve(payload);
        else read.reject(deserialiseError(payload as SerialisedError));
      });
    };
  }

  /**
   * Stops using the port to `database`'s leader; its unanswered reads are sent through the
   * worker (`resend`) or rejected with the host's failure.
   */
  #dropReader(database: string, resend: boolean): void {
    const reader = this.#readers.get(database);
    if (reader === undefined) return;
    this.#readers.delete(database);
    reader.port.close();
    for (const read of reader.pending.values()) {
      if (resend) this.call(read.db, read.call).then(read.resolve, read.reject);
      else read.reject(this.#failure as Error);
    }
    reader.pending.clear();
  }

  /** One store is done with the worker; the last one terminates it. */
  release(): void {
    this.refs--;
    if (this.refs <= 0) this.#stop(new DriverError('the database worker has stopped', undefined));
  }

  #settle(to: number, kind: number, ok: boolean, payload: unknown): void {
    if (kind !== ANSWER) {
      this.#listeners.get(to)?.(payload as readonly StoreEvent[]);
      return;
    }
    const pending = this.#pending.get(to);
    if (pending === undefined) return;
    this.#pending.delete(to);
    if (ok) pending.resolve(payload);
    else pending.reject(deserialiseError(payload as SerialisedError));
  }

  /** Terminates the worker; a call still unanswered (none, after a clean close) rejects. */
  #stop(reason: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#worker.terminate();
    this.#onStop();
    for (const database of [...this.#readers.keys()]) this.#dropReader(database, false);
    for (const pending of this.#pending.values()) pending.reject(reason);
    this.#pending.clear();
  }
}

/**
 * Starts (or joins) the port broker, the same script as a shared worker, and hands the database
 * worker its port. Without shared workers, or if this one cannot start, the worker goes without:
 * it then talks to other tabs over their BroadcastChannel only.
 */
function connectBroker(url: string | URL, worker: Worker): void {
  if (typeof SharedWorker !== 'function') return;
  try {
    // The page stays the broker's client while it lives, whatever becomes of this object.
    const broker = new SharedWorker(url, { type: 'module', name: 'go-store-broker' });
    broker.onerror = (event) => event.preventDefault();
    const hello: BrokerHello = { broker: broker.port };
    worker.postMessage(hello, [broker.port]);
  } catch {
    // No broker: the worker talks to other tabs over their BroadcastChannel.
  }
}
