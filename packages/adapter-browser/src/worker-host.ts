/**
 * The page's channel to the dedicated worker that owns its databases. One worker serves every
 * store a page opens with the same worker URL (starting sqlite-wasm costs more than opening a
 * database), and it is terminated when the last of those stores closes. The calls made in one
 * turn of the page's event loop travel to the worker as one message.
 */
import { DriverError, type StoreEvent } from '@go-store/core';
import type { BrokerHello } from './port-broker.js';
import { ANSWER, deserialiseError, type Request, requestCodec, type SerialisedError } from './protocol.js';
import { decodeAnswers, encodeCalls, type Wire } from './wire.js';

/** A request without the ids the host fills in. */
export type Call = Request extends infer R ? (R extends Request ? Omit<R, 'id' | 'db'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
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
  readonly #onStop: () => void;
  #outbox: Request[] = [];
  #nextId = 1;
  #nextDb = 1;
  #failure: Error | undefined;

  constructor(url: string | URL, onStop: () => void) {
    this.#onStop = onStop;
    this.#worker = new Worker(url, { type: 'module', name: 'go-store' });
    this.#worker.onmessage = (event: MessageEvent<Wire>) => {
      decodeAnswers(event.data, (to, kind, ok, payload) => this.#settle(to as number, kind, ok, payload));
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      // The browser says nothing more when a module worker fails to load: a missing file, a
      // wrong MIME type, and an import it cannot resolve all end here.
      const reason =
        event.message ||
        `its script ${String(url)} did not load: check that this URL serves the package's dist/worker.js ` +
          'with a JavaScript MIME type (or pass workerUrl to openStore), and see the console for the reason';
      this.#fail(new DriverError(`openStore: the database worker failed: ${reason}`, event.error));
    };
    this.#worker.onmessageerror = () => {
      this.#fail(new DriverError('openStore: a message from the database worker could not be read', undefined));
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

  /** Receives the events committed to connection `db`'s database (every context's writes). */
  listen(db: number, listener: (events: readonly StoreEvent[]) => void): void {
    this.#listeners.set(db, listener);
  }

  #flush(): void {
    const batch = this.#outbox;
    this.#outbox = [];
    if (this.#failure === undefined) this.#worker.postMessage(encodeCalls(requestCodec, batch));
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

  #fail(error: Error): void {
    this.#stop(error);
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #stop(reason: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = reason;
    this.#worker.terminate();
    this.#onStop();
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
