/**
 * The conformance page. `?mode=worker` runs the suites inside a worker on the direct driver;
 * `?mode=main` runs them here, on the main-thread store that talks to a worker per database;
 * `?mode=follower` runs them here too, on databases another context (holder-worker.ts) leads;
 * `?mode=tab-follower` likewise, on databases another page (holder-page.ts, in an iframe) leads,
 * so that reads go straight to that page's worker.
 * The outcome is `globalThis.goStoreResult` (a Promise), which the Node side awaits.
 */
import { openStore, type Store } from '@go-store/adapter-browser';
import type { HolderReply, HolderRequest } from './holder.js';
import { opener, runSuites, type SuiteResult } from './suites.js';

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'worker';
const vfs = params.get('vfs') === 'opfs' ? 'opfs' : 'opfs-sahpool';
const run = params.get('run') ?? String(Date.now());

function inWorker(): Promise<SuiteResult> {
  const worker = new Worker(new URL('./suite-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ result?: SuiteResult; error?: string }>) => {
      worker.terminate();
      if (event.data.result) resolve(event.data.result);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => reject(new Error(`suite worker failed: ${event.message}`));
    worker.postMessage({ vfs, run });
  });
}

/**
 * On the main thread, stores share the page's database worker, which stops when the last one
 * closes; a store held open for the whole run keeps one worker serving every test, as an app
 * with a long-lived store would, instead of starting sqlite-wasm again for each test.
 */
async function onMainThread(): Promise<SuiteResult> {
  const anchor = await openStore(`anchor-${run}`, { vfs });
  try {
    return await runSuites(`main-thread proxy (${vfs})`, opener(openStore, vfs, run));
  } finally {
    await anchor.close();
  }
}

/**
 * Every test's database is opened first by another context, which therefore leads it; this
 * page's store follows, so every call crosses to that context. Closing the store closes the
 * leader's too.
 */
async function asFollower(holder: Holder): Promise<SuiteResult> {
  let nextId = 1;
  const waiting = new Map<number, (error: string | undefined) => void>();
  holder.onReply((reply) => {
    waiting.get(reply.id)?.(reply.error);
    waiting.delete(reply.id);
  });
  await holder.ready;
  const ask = (op: HolderRequest['op'], name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error))));
      holder.send({ id, op, name, vfs } satisfies HolderRequest);
    });
  const open = opener(
    async (name, options) => {
      await ask('open', name);
      const store: Store = await openStore(name, options);
      const close = store.close.bind(store);
      store.close = () => close().finally(() => ask('close', name));
      return store;
    },
    vfs,
    run,
  );
  try {
    return await runSuites(holder.label, open);
  } finally {
    holder.stop();
  }
}

/** The context that leads the databases of a follower run. */
interface Holder {
  readonly label: string;
  readonly ready: Promise<void>;
  onReply(listener: (reply: HolderReply) => void): void;
  send(request: HolderRequest): void;
  stop(): void;
}

/** An app's own worker leads: the runner's worker reaches it on the database's channel. */
function holderWorker(): Holder {
  const worker = new Worker(new URL('./holder-worker.js', import.meta.url), { type: 'module' });
  return {
    label: `non-leader tab (${vfs})`,
    ready: Promise.resolve(),
    onReply: (listener) => {
      worker.onmessage = (event: MessageEvent<HolderReply>) => listener(event.data);
    },
    send: (request) => worker.postMessage(request),
    stop: () => worker.terminate(),
  };
}

/** Batches of reads this page has sent on a port straight to a leader (see holderPage). */
let directBatches = 0;

/**
 * Another page leads (with its own database worker), as another tab would. The runner counts
 * the messages its main thread posts on ports: only its stores' reads to the leader go so.
 */
function holderPage(): Holder {
  const postMessage = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort['postMessage']>) {
    directBatches++;
    return postMessage.apply(this, args);
  } as MessagePort['postMessage'];
  const frame = document.createElement('iframe');
  frame.src = new URL('./holder.html', location.href).href;
  let listener: (reply: HolderReply) => void = () => undefined;
  let loaded: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    loaded = resolve;
  });
  addEventListener('message', (event: MessageEvent<HolderReply>) => {
    if (event.source !== frame.contentWindow) return;
    if (event.data.id === 0) loaded();
    else listener(event.data);
  });
  document.body.append(frame);
  return {
    label: `non-leader page, reads straight to the leading page (${vfs})`,
    ready,
    onReply: (next) => {
      listener = next;
    },
    send: (request) => frame.contentWindow?.postMessage(request, location.origin),
    stop: () => frame.remove(),
  };
}

const result =
  mode === 'main'
    ? onMainThread()
    : mode === 'follower'
      ? asFollower(holderWorker())
      : mode === 'tab-follower'
        ? asFollower(holderPage()).then((r) => ({ ...r, directBatches }))
        : inWorker();
(globalThis as { goStoreResult?: Promise<SuiteResult> }).goStoreResult = result;
result.then(
  (r) => {
    document.getElementById('out')!.textContent = `${r.label}: ${r.passed}/${r.total} passed\n${r.failures}`;
  },
  (error: unknown) => {
    document.getElementById('out')!.textContent = `failed: ${String(error)}`;
  },
);
