/**
 * The page's database worker: `openStore` on the main thread starts this module as a module
 * worker and sends it the driver calls of the page's stores (see protocol.ts). The worker joins
 * each database's membership (see membership.ts), so it may become the tab that owns the
 * database, and passes every call on to whichever context leads.
 *
 * The built file is one self-contained module (no bare imports), so a page can load it without a
 * bundler. Bundlers pick it up from `new URL('./worker.js', import.meta.url)` in index.js; pass
 * `workerUrl` to `openStore` if yours does not. Started as a shared worker, the same file serves
 * as the port broker between tabs (see port-broker.ts).
 *
 * @packageDocumentation
 */

import { useBroker } from './membership.js';
import { type BrokerHello, inSharedWorker, serveBroker } from './port-broker.js';
import {
  ANSWER,
  EVENTS,
  type ReaderNotice,
  type Request,
  type Response,
  requestCodec,
  serialiseError,
} from './protocol.js';
import { openShared, type SharedDriver } from './shared-driver.js';
import { useWasmUrl } from './sqlite3.js';
import { Answers, decodeCalls, type Wire } from './wire.js';

/** The part of a dedicated worker's global scope used here (the DOM library types `self` as a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<Wire | BrokerHello>) => void) | null;
  postMessage(message: Wire | ReaderNotice, transfer?: Transferable[]): void;
}

/** One store of the page: its driver once open, and the calls that arrived while it opened. */
interface Connection {
  driver?: SharedDriver;
  waiting?: Request[];
}

const scope = globalThis as unknown as WorkerScope;
const connections = new Map<number, Connection>();
let outbox: Answers | undefined;

/** Queues an answer or events for the page; everything queued in one turn goes as one message. */
function post(to: number, kind: Response[1], ok: boolean, payload: unknown): void {
  if (outbox === undefined) {
    outbox = new Answers();
    queueMicrotask(() => {
      const batch = outbox as Answers;
      outbox = undefined;
      scope.postMessage(batch.wire());
    });
  }
  outbox.add(to, kind, ok, payload);
}

function settle(id: number, result: unknown): void {
  if (result instanceof Promise) {
    result.then(
      (value: unknown) => post(id, ANSWER, true, value),
      (error: unknown) => post(id, ANSWER, false, serialiseError(error)),
    );
  } else post(id, ANSWER, true, result);
}

function handle(request: Request): void {
  if (request.op === 'open') {
    useWasmUrl(request.wasmUrl);
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
        return settle(request.id, driver.all(request.sql, request.params));
      case 'get':
        return settle(request.id, driver.get(request.sql, request.params));
      case 'run':
        return settle(request.id, driver.run(request.sql, request.params));
      case 'exec':
        return settle(request.id, driver.exec(request.sql));
      case 'begin':
        return settle(request.id, driver.begin());
      case 'commit':
        driver.events.log(request.events);
        return settle(request.id, driver.commit());
      case 'rollback':
        return settle(request.id, driver.rollback());
      case 'close':
        connections.delete(request.db);
        return settle(request.id, driver.close());
    }
  } catch (error) {
    post(request.id, ANSWER, false, serialiseError(error));
  }
}

async function open(id: number, db: number, name: string, vfs: Parameters<typeof openShared>[1]): Promise<void> {
  const connection: Connection = { waiting: [] };
  connections.set(db, connection);
  try {
    const driver = await openShared(name, vfs);
    driver.events.subscribe((events) => post(db, EVENTS, true, events));
    // At once, not with the answers of this turn: the page must hear that its port is gone
    // before any answer from the next leader.
    const reader = `${vfs}:${name}`;
    driver.offerReaders((offer) => {
      if (offer === undefined) scope.postMessage({ reader } satisfies ReaderNotice);
      else scope.postMessage({ reader, ...offer } satisfies ReaderNotice, [offer.port]);
    });
    connection.driver = driver;
    post(id, ANSWER, true, undefined);
  } catch (error) {
    connections.delete(db);
    post(id, ANSWER, false, serialiseError(error));
  } finally {
    const waiting = connection.waiting ?? [];
    connection.waiting = undefined;
    for (const request of waiting) handle(request);
  }
}

if (inSharedWorker()) serveBroker();
else {
  scope.onmessage = ({ data }) => {
    // (Array.isArray does not narrow a readonly array type, hence the cast.)
    if (Array.isArray(data)) decodeCalls(requestCodec, data, handle);
    else useBroker((data as BrokerHello).broker);
  };
}
