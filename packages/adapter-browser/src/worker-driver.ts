/**
 * The page's side of a database owned by a dedicated worker: an asynchronous {@link SqlDriver}
 * whose every call is one message to the worker and one back.
 *
 * The store never calls a driver concurrently and holds its lock across multi-statement
 * operations (a quota check and its write, a transaction), so those stay atomic although each
 * statement crosses the message boundary: nothing else reaches the worker in between.
 */
import { DriverError, type SqlDriver, type SqlRow, type SqlValue } from '@go-store/core';
import type { BrowserVfs } from './open-database.js';
import { deserialiseError, type Request, type Response } from './protocol.js';

type Call = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A driver that forwards every call to the database worker it started. */
export class WorkerDriver implements SqlDriver {
  readonly #worker: Worker;
  readonly #name: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | undefined;
  #terminated = false;

  /** Starts the worker from `url`; call {@link WorkerDriver.open} next. */
  constructor(url: string | URL, name: string) {
    this.#name = name;
    this.#worker = new Worker(url, { type: 'module', name: `go-store ${name}` });
    this.#worker.onmessage = (event: MessageEvent<Response>) => this.#settle(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const reason = event.message || `the worker script ${String(url)} could not be loaded (is it served, as a module?)`;
      this.#fail(new DriverError(`openStore: ${name}: the database worker failed: ${reason}`, event.error));
    };
    this.#worker.onmessageerror = () => {
      this.#fail(new DriverError(`openStore: ${name}: a message from the database worker could not be read`, undefined));
    };
  }

  /** Opens the database in the worker; on failure the worker is terminated. */
  async open(vfs: BrowserVfs): Promise<void> {
    try {
      await this.#call({ op: 'open', name: this.#name, vfs });
    } catch (error) {
      this.#terminate();
      throw error;
    }
  }

  all(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.#call({ op: 'all', sql, params }) as Promise<SqlRow[]>;
  }

  get(sql: string, params: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return this.#call({ op: 'get', sql, params }) as Promise<SqlRow | undefined>;
  }

  run(sql: string, params: readonly SqlValue[]): Promise<number> {
    return this.#call({ op: 'run', sql, params }) as Promise<number>;
  }

  async exec(sql: string): Promise<void> {
    await this.#call({ op: 'exec', sql });
  }

  async begin(): Promise<void> {
    await this.#call({ op: 'begin' });
  }

  async commit(): Promise<void> {
    await this.#call({ op: 'commit' });
  }

  async rollback(): Promise<void> {
    await this.#call({ op: 'rollback' });
  }

  /** Closes the database in the worker, then terminates the worker. */
  async close(): Promise<void> {
    try {
      if (this.#failure === undefined) await this.#call({ op: 'close' });
    } finally {
      this.#terminate();
    }
  }

  #call(call: Call): Promise<unknown> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...call, id } as Request);
    });
  }

  #settle(response: Response): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(deserialiseError(response.error));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#terminate();
  }

  #terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#failure ??= new DriverError(`${this.#name}: the database worker has stopped`, undefined);
    this.#worker.terminate();
  }
}
