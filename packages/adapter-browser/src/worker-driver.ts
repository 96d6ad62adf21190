/**
 * The page's side of a database reached through the page's database worker: an asynchronous
 * {@link SqlDriver} whose calls cross to the worker as messages, and which carries the
 * database's events back (the worker's driver is shared with other tabs; see shared-driver.ts).
 */
import type { SharedEvents, SqlDriver, SqlRow, SqlValue, StoreEvent } from '@go-store/core';
import type { BrowserVfs } from './open-database.js';
import type { ReadCall } from './wire.js';
import { acquireHost, type WorkerHost } from './worker-host.js';

/** A driver for one database opened in the page's database worker. */
export class WorkerDriver implements SqlDriver {
  readonly #host: WorkerHost;
  readonly #db: number;
  readonly #onClose: () => void;
  /** Reads made together travel together (one message), and are answered in order. */
  readonly concurrentReads = true;
  readonly events: SharedEvents;
  #staged: readonly StoreEvent[] = [];
  #released = false;
  /** The database, as `vfs:name`: its reads may go straight to its leader (see worker-host.ts). */
  #database = '';
  /** Whether a transaction is open: its reads are part of it, and go where it goes. */
  #inGroup = false;

  /** Attaches to (or starts) the worker at `url`; call {@link WorkerDriver.open} next. */
  constructor(url: string | URL, onClose: () => void = () => undefined) {
    this.#host = acquireHost(url);
    this.#db = this.#host.connection();
    this.#onClose = onClose;
    this.events = {
      log: (events) => {
        this.#staged = events;
      },
      subscribe: (dispatch) => this.#host.listen(this.#db, dispatch),
    };
  }

  /** Opens the database in the worker; on failure the driver is released. */
  async open(name: string, vfs: BrowserVfs, wasmUrl: string): Promise<void> {
    this.#database = `${vfs}:${name}`;
    try {
      await this.#host.call(this.#db, { op: 'open', name, vfs, wasmUrl });
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  all(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]> {
    return this.#read({ op: 'all', sql, params }) as Promise<SqlRow[]>;
  }

  get(sql: string, params: readonly SqlValue[]): Promise<SqlRow | undefined> {
    return this.#read({ op: 'get', sql, params }) as Promise<SqlRow | undefined>;
  }

  #read(read: ReadCall): Promise<unknown> {
    return this.#inGroup ? this.#host.call(this.#db, read) : this.#host.read(this.#db, this.#database, read);
  }

  run(sql: string, params: readonly SqlValue[]): Promise<number> {
    return this.#host.call(this.#db, { op: 'run', sql, params }) as Promise<number>;
  }

  async exec(sql: string): Promise<void> {
    await this.#host.call(this.#db, { op: 'exec', sql });
  }

  begin(): void {
    this.#staged = [];
    this.#inGroup = true;
    // The worker's driver answers begin() at once (see shared-driver.ts): send it along with
    // the first statement, and let that statement report a failure.
    this.#host.call(this.#db, { op: 'begin' }).catch(() => undefined);
  }

  async commit(): Promise<void> {
    const events = this.#staged;
    this.#staged = [];
    this.#inGroup = false;
    await this.#host.call(this.#db, { op: 'commit', events });
  }

  async rollback(): Promise<void> {
    this.#inGroup = false;
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
