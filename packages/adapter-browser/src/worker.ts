/**
 * The dedicated worker that owns a page's databases: `openStore` on the main thread starts this
 * module as a module worker and sends it one driver call per message (see protocol.ts).
 * Bundlers pick it up from `new URL('./worker.js', import.meta.url)` in index.js; pass
 * `workerUrl` to `openStore` if yours does not.
 *
 * @packageDocumentation
 */
import { openDatabase } from './open-database.js';
import { type Request, type Response, serialiseError } from './protocol.js';
import type { SqliteWasmDriver } from './sqlite-wasm-driver.js';

/** The part of a dedicated worker's global scope used here (the DOM library types `self` as a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Response): void;
}

/** One database of the page: its driver once open, and the calls that arrived while it opened. */
interface Connection {
  driver?: SqliteWasmDriver;
  waiting?: Request[];
}

const scope = globalThis as unknown as WorkerScope;
const connections = new Map<number, Connection>();

function reply(id: number, value: unknown): void {
  scope.postMessage({ id, ok: true, value });
}

function replyError(id: number, error: unknown): void {
  scope.postMessage({ id, ok: false, error: serialiseError(error) });
}

function handle(request: Request): void {
  if (request.op === 'open') {
    void open(request.id, request.db, request.name, request.vfs);
    return;
  }
  const connection = connections.get(request.db);
  if (connection?.waiting !== undefined) {
    connection.waiting.push(request);
    return;
  }
  try {
    const driver = connection?.driver;
    if (driver === undefined) throw new Error('the database is not open');
    switch (request.op) {
      case 'all':
        return reply(request.id, driver.all(request.sql, request.params));
      case 'get':
        return reply(request.id, driver.get(request.sql, request.params));
      case 'run':
        return reply(request.id, driver.run(request.sql, request.params));
      case 'exec':
        return reply(request.id, driver.exec(request.sql));
      case 'begin':
        return reply(request.id, driver.begin());
      case 'commit':
        return reply(request.id, driver.commit());
      case 'rollback':
        return reply(request.id, driver.rollback());
      case 'close':
        connections.delete(request.db);
        return reply(request.id, driver.close());
    }
  } catch (error) {
    replyError(request.id, error);
  }
}

async function open(id: number, db: number, name: string, vfs: Parameters<typeof openDatabase>[1]): Promise<void> {
  const connection: Connection = { waiting: [] };
  connections.set(db, connection);
  try {
    connection.driver = await openDatabase(name, vfs);
    reply(id, undefined);
  } catch (error) {
    connections.delete(db);
    replyError(id, error);
  } finally {
    const waiting = connection.waiting ?? [];
    connection.waiting = undefined;
    for (const request of waiting) handle(request);
  }
}

scope.onmessage = (event) => handle(event.data);
