/**
 * The bench page: the in-worker figures (bench-worker.ts), a bare postMessage round trip to a
 * worker, the main-thread store (its calls cross to the page's database worker, which leads
 * its database), and, with `?shared=<name>`, the store of a database another tab leads (this
 * tab a follower). `globalThis.goStoreBench` resolves to every figure.
 *
 * With `?lead=<name>` the page is that other tab instead: it opens `name` first, so that its
 * database worker leads it, and warms that worker's SQLite up as bench-worker.ts warms its own
 * before measuring (WebAssembly runs unoptimised at first, and the leading tab is another
 * renderer process, whose engine the bench page's warm-up does not reach); then it resolves
 * `globalThis.goStoreBench` to no figures and keeps the database open.
 */
import { openStore } from '@go-store/adapter-browser';
import { type Figure, figure, storeFigures, warmUp } from './measure.js';

const params = new URLSearchParams(location.search);
const run = params.get('run') ?? String(Date.now());
const shared = params.get('shared');
const lead = params.get('lead');

/** The round trip of one message to a worker that answers at once. */
async function postMessageFigures(): Promise<Figure[]> {
  const echo = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
  const roundTrip = (): Promise<unknown> =>
    new Promise((resolve) => {
      echo.onmessage = resolve;
      echo.postMessage(1);
    });
  await roundTrip();
  const figures = [await figure('bare postMessage: round trip', roundTrip, 200)];
  echo.terminate();
  return figures;
}

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

/** A database another tab leads: every call goes to that tab's worker. */
async function fromFollower(): Promise<Figure[]> {
  if (shared === null) return [];
  return storeFigures('store, non-leader tab (opfs-sahpool)', await openStore(shared, { purgeIntervalMs: 0 }));
}

/** Leads `name` with this tab's database worker, warmed up; keeps it open. */
async function leadShared(name: string): Promise<Figure[]> {
  await warmUp(await openStore(name, { purgeIntervalMs: 0 }));
  return [];
}

const result =
  lead === null
    ? (async () => [
        ...(await inWorker()),
        ...(await postMessageFigures()),
        ...(await onMainThread()),
        ...(await fromFollower()),
      ])()
    : leadShared(lead);
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
