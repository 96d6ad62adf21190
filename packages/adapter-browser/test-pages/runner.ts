/**
 * The conformance page. `?mode=worker` runs the suites inside a worker on the direct driver;
 * `?mode=main` runs them here, on the main-thread store that talks to a worker per database;
 * `?mode=follower` runs them here too, on databases another context (holder-worker.ts) leads.
 * The outcome is `globalThis.goStoreResult` (a Promise), which the Node side awaits.
 */
import { openStore, type Store } from '@go-store/adapter-browser';
import type { HolderRequest } from './holder-worker.js';
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
async function asFollower(): Promise<SuiteResult> {
  const holder = new Worker(new URL('./holder-worker.js', import.meta.url), { type: 'module' });
  let nextId = 1;
  const waiting = new Map<number, (error: string | undefined) => void>();
  holder.onmessage = (event: MessageEvent<{ id: number; error?: string }>) => {
    waiting.get(event.data.id)?.(event.data.error);
    waiting.delete(event.data.id);
  };
  const ask = (op: HolderRequest['op'], name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (error) => (error === undefined ? resolve() : reject(new Error(error))));
      holder.postMessage({ id, op, name, vfs } satisfies HolderRequest);
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
    return await runSuites(`non-leader tab (${vfs})`, open);
  } finally {
    holder.terminate();
  }
}

const result = mode === 'main' ? onMainThread() : mode === 'follower' ? asFollower() : inWorker();
(globalThis as { goStoreResult?: Promise<SuiteResult> }).goStoreResult = result;
result.then(
  (r) => {
    document.getElementById('out')!.textContent = `${r.label}: ${r.passed}/${r.total} passed\n${r.failures}`;
  },
  (error: unknown) => {
    document.getElementById('out')!.textContent = `failed: ${String(error)}`;
  },
);
