/**
 * The page's side of a database owned by a dedicated worker: an asynchronous {@link SqlDriver}
 * whose every call is one message to the worker and one back.
 *
 * The store never calls a driver concurrently and holds its lock across multi-statement
 * operations (a quota check and its write, a transaction), so those stay atomic although each
 * statement crosses the message boundary: nothing else reaches this database in between.
 */
import type { SqlDriver, SqlRow, SqlValue } from '@go-store/core';
import type { BrowserVfs } from './open-database.js';
import { acquireHost, type WorkerHost } from './worker-host.js';

/** A driver for one database opened in the page's database worker. */
export class WorkerDriver implements SqlDriver {
  readonly #host: WorkerHost;
  readonly #db: number;
  readonly #onClose: () => void;
  #released = false;

  /** Attaches to (or starts) the worker at `url`; call {@link WorkerDriver.open} next. */
  constructor(url: string | URL, onClose: () => void = () => undefined) {
    this.#host = acquireHost(url);
    this.#db = this.#host.connection();
    this.#onClose = onClose;
  }

  /** Opens the database in the worker; on failure the driver is released. */
  async open(name: string, vfs: BrowserVfs): Promise<void> {
    try {
      await this.#host.call(this.#db, { op: 'open', name, vfs });
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  all(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.#host.call(this.#db, { op: 'all', sql, params }) as Promise<SqlRow[]>;
  }

  get(sql: string, params: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return this.#host.call(this.#db, { op: 'get', sql, params }) as Promise<SqlRow | undefined>;
  }

  run(sql: string, params: readonly SqlValue[]): Promise<number> {
    return this.#host.call(this.#db, { op: 'run', sql, params }) as Promise<number>;
  }

  async exec(sql: string): Promise<void> {
    await this.#host.call(this.#db, { op: 'exec', sql });
  }

  async begin(): Promise<void> {
    await this.#host.call(this.#db, { op: 'begin' });
  }

  async commit(): Promise<void> {
    await this.#host.call(this.#db, { op: 'commit' });
  }

  async rollback(): Promise<void> {
    await this.#host.call(this.#db, { op: 'rollback' });
  }

  /** Closes the database in the worker; the last store to close terminates the worker. */
  async close(): Promise<void> {
    try {
      if (!this.#host.stopped) await this.#host.call(this.#db, { op: 'close' });
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#host.release();
    this.#onClose();
  }
}
