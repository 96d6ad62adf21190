/**
 * The dedicated worker that owns a database for a page: `openStore` on the main thread starts
 * this module as a module worker and sends it one driver call per message (see protocol.ts).
 * Bundlers pick it up from `new URL('./worker.js', import.meta.url)` in index.js; pass
 * `workerUrl` to `openStore` if yours does not.
 *
 * @packageDocumentation
 */
import { openDatabase } from './open-database.js';
import { serialiseError, type Request, type Response } from './protocol.js';
import type { SqliteWasmDriver } from './sqlite-wasm-driver.js';

/** The part of a dedicated worker's global scope used here (the DOM library types `self` as a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: Response): void;
}

const scope = globalThis as unknown as WorkerScope;
let driver: SqliteWasmDriver | undefined;
// Requests that arrive while the database is opening wait for it, in order.
let opening: Promise<void> | undefined;
const waiting: Request[] = [];

function reply(id: number, value: unknown): void {
  scope.postMessage({ id, ok: true, value });
}

function replyError(id: number, error: unknown): void {
  scope.postMessage({ id, ok: false, error: serialiseError(error) });
}

function handle(request: Request): void {
  if (request.op === 'open') {
    opening = open(request.id, request.name, request.vfs);
    return;
  }
  if (opening !== undefined) {
    waiting.push(request);
    return;
  }
  try {
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
      case 'close': {
        const closing = driver;
        driver = undefined;
        return reply(request.id, closing.close());
      }
    }
  } catch (error) {
    replyError(request.id, error);
  }
}

async function open(id: number, name: string, vfs: Parameters<typeof openDatabase>[1]): Promise<void> {
  try {
    if (driver !== undefined) throw new Error('this worker already has a database open');
    driver = await openDatabase(name, vfs);
    reply(id, undefined);
  } catch (error) {
    replyError(id, error);
  } finally {
    opening = undefined;
    for (const request of waiting.splice(0)) handle(request);
  }
}

scope.onmessage = (event) => handle(event.data);
