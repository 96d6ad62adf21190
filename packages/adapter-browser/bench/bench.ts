/**
 * The bench page: the in-worker figures (bench-worker.ts), then the main-thread store, whose
 * every driver call is a message to the page's database worker. `globalThis.goStoreBench`
 * resolves to every figure.
 */
import { openStore } from '@go-store/adapter-browser';
import { type Figure, storeFigures } from './measure.js';

const run = new URLSearchParams(location.search).get('run') ?? String(Date.now());

function inWorker(): Promise<Figure[]> {
  const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ figures?: Figure[]; error?: string }>) => {
      worker.terminate();
      if (event.data.figures) resolve(event.data.figures);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => reject(new Error(`bench worker failed: ${event.message}`));
    worker.postMessage({ run });
  });
}

function onMainThread(): Promise<Figure[]> {
  return openStore(`bench-main-${run}`, { purgeIntervalMs: 0 }).then((store) =>
    storeFigures('store, main thread → worker (opfs-sahpool)', store),
  );
}

const result = (async () => [...(await inWorker()), ...(await onMainThread())])();
(globalThis as { goStoreBench?: Promise<Figure[]> }).goStoreBench = result;
result.then(
  (figures) => {
    document.getElementById('out')!.textContent = figures
      .map((f) => `${f.name}: ${(f.medianNs / 1000).toFixed(1)} µs`)
      .join('\n');
  },
  (error: unknown) => {
    document.getElementById('out')!.textContent = `failed: ${String(error)}`;
  },
);
