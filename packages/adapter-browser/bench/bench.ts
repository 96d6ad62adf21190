/**
 * The bench page: the in-worker figures (bench-worker.ts), then the main-thread store, whose
 * every driver call is a message to the page's database worker. `globalThis.goStoreBench`
 * resolves to every figure.
 */
import { openStore } from '@go-store/adapter-browser';
import { figure, type Figure } from './measure.js';

const run = new URLSearchParams(location.search).get('run') ?? String(Date.now());
const KEYS = Array.from({ length: 1000 }, (_, i) => `key-${String(i).padStart(4, '0')}`);
const VALUE = 'value-'.padEnd(64, 'x');

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

async function onMainThread(): Promise<Figure[]> {
  const store = await openStore(`bench-main-${run}`, { purgeIntervalMs: 0 });
  await store.setMany('read', Object.fromEntries(KEYS.map((key) => [key, VALUE])));
  let i = 0;
  let j = 0;
  const label = 'store, main thread → worker (opfs-sahpool)';
  const figures = [
    await figure(`${label}: get`, () => store.get('read', KEYS[i++ % 1000]), 200),
    await figure(`${label}: set`, () => store.set('write', KEYS[j++ % 1000], VALUE), 20),
    await figure(`${label}: getAll(1k)`, () => store.getAll('read'), 10),
    await figure(`${label}: 1,000 concurrent gets`, () => Promise.all(KEYS.map((key) => store.get('read', key)))),
  ];
  await store.close();
  return figures;
}

const result = (async () => [...(await inWorker()), ...(await onMainThread())])();
(globalThis as { goStoreBench?: Promise<Figure[]> }).goStoreBench = result;
result.then(
  (figures) => {
    document.getElementById('out')!.textContent = figures.map((f) => `${f.name}: ${(f.medianNs / 1000).toFixed(1)} µs`).join('\n');
  },
  (error: unknown) => {
    document.getElementById('out')!.textContent = `failed: ${String(error)}`;
  },
);
