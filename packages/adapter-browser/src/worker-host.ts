/**
 * The page's channel to the dedicated worker that owns its databases. One worker serves every
 * store a page opens with the same worker URL (starting sqlite-wasm costs more than opening a
 * database), and it is terminated when the last of those stores closes.
 */
import { DriverError } from '@go-store/core';
import { deserialiseError, type Request, type Response } from './protocol.js';

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
  readonly #onStop: () => void;
  #nextId = 1;
  #nextDb = 1;
  #failure: Error | undefined;

  constructor(url: string | URL, onStop: () => void) {
    this.#onStop = onStop;
    this.#worker = new Worker(url, { type: 'module', name: 'go-store' });
    this.#worker.onmessage = (event: MessageEvent<Response>) => this.#settle(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const reason = event.message || `its script ${String(url)} could not be loaded (is it served, as a module?)`;
      this.#fail(new DriverError(`openStore: the database worker failed: ${reason}`, event.error));
    };
    this.#worker.onmessageerror = () => {
      this.#fail(new DriverError('openStore: a message from the database worker could not be read', undefined));
    };
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
      this.#worker.postMessage({ ...call, id, db } as Request);
    });
  }

  /** One store is done with the worker; the last one terminates it. */
  release(): void {
    this.refs--;
    if (this.refs <= 0) this.#stop(new DriverError('the database worker has stopped', undefined));
  }

  #settle(response: Response): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(deserialiseError(response.error));
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
