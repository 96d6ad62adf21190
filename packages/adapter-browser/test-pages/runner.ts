/**
 * The conformance page. `?mode=worker` runs the suites inside a worker on the direct driver;
 * `?mode=main` runs them here, on the main-thread store that talks to a worker per database.
 * The outcome is `globalThis.goStoreResult` (a Promise), which the Node side awaits.
 */
import { openStore } from '@go-store/adapter-browser';
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

const result = mode === 'main' ? onMainThread() : inWorker();
(globalThis as { goStoreResult?: Promise<SuiteResult> }).goStoreResult = result;
result.then(
  (r) => {
    document.getElementById('out')!.textContent = `${r.label}: ${r.passed}/${r.total} passed\n${r.failures}`;
  },
  (error: unknown) => {
    document.getElementById('out')!.textContent = `failed: ${String(error)}`;
  },
);
