/**
 * The bench page: the in-worker figures (bench-worker.ts), a bare postMessage round trip to a
 * worker, the main-thread store (its calls cross to the page's database worker, which leads
 * its database), and, with `?shared=<name>`, the store of a database another tab leads (this
 * tab a follower); then the figures the goals compare again, in rounds (see measureAll).
 * `globalThis.goStoreBench` resolves to every figure.
 *
 * With `?lead=<name>` the page is that other tab instead: it opens `name` first, so that its
 * database worker leads it, and warms that worker's SQLite up as bench-worker.ts warms its own
 * before measuring (WebAssembly runs unoptimised at first, and the leading tab is another
 * renderer process, whose engine the bench page's warm-up does not reach); then it resolves
 * `globalThis.goStoreBench` to no figures and keeps the database open.
 */
import { openStore } from '@go-store/adapter-browser';
import { concurrentGets, type Figure, figure, KEYS, storeFigures, warmUp } from './measure.js';

const params = new URLSearchParams(location.search);
const run = params.get('run') ?? String(Date.now());
const shared = params.get('shared');
const lead = params.get('lead');

/** A figure the page can measure again, for the rounds. */
type Measure = () => Promise<Figure>;

/** A worker that answers every message at once: the bare postMessage round trip. */
function postMessageRoundTrip(): { measure: Measure; stop(): void } {
  const echo = new Worker(new URL('./echo-worker.js', import.meta.url), { type: 'module' });
  const roundTrip = (): Promise<unknown> =>
    new Promise((resolve) => {
      echo.onmessage = resolve;
      echo.postMessage(1);
    });
  return { measure: () => figure('bare postMessage: round trip', roundTrip, 200), stop: () => echo.terminate() };
}

/** The in-worker figures; then the worker's 1,000 concurrent gets again, on request. */
function inWorker(): { figures: Promise<Figure[]>; measure: Measure; stop(): void } {
  const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
  const ask = (message: unknown): Promise<Figure[]> =>
    new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<{ figures?: Figure[]; error?: string }>) => {
        if (event.data.figures) resolve(event.data.figures);
        else reject(new Error(event.data.error));
      };
      worker.onerror = (event) => reject(new Error(`bench worker failed: ${event.message}`));
      worker.postMessage(message);
    });
  return {
    figures: ask({ run }),
    measure: () => ask({ round: true }).then(([figure]) => figure as Figure),
    stop: () => worker.terminate(),
  };
}

const MAIN = 'store, main thread → worker (opfs-sahpool)';
const FOLLOWER = 'store, non-leader tab (opfs-sahpool)';

/** Leads `name` with this tab's database worker, warmed up; keeps it open. */
async function leadShared(name: string): Promise<Figure[]> {
  await warmUp(await openStore(name, { purgeIntervalMs: 0 }));
  return [];
}

/**
 * Every figure once, in turn; then the four the goals compare (the bare round trip and the
 * main-thread get; 1,000 concurrent gets in the leading worker and from this tab as a
 * follower) again in three rounds, in turns whose order rotates, each reported as the median of
 * its round medians. Measured once each, seconds apart, a ratio moves with whatever else the
 * machine does meanwhile; in rounds, the figures compared are measured close together.
 */
async function measureAll(): Promise<Figure[]> {
  const worker = inWorker();
  const figures = [...(await worker.figures)];
  const echo = postMessageRoundTrip();
  await echo.measure();
  figures.push(await echo.measure());
  const main = await openStore(`bench-main-${run}`, { purgeIntervalMs: 0 });
  figures.push(...(await storeFigures(MAIN, main, false)));
  const follower = shared === null ? undefined : await openStore(shared, { purgeIntervalMs: 0 });
  if (follower !== undefined) figures.push(...(await storeFigures(FOLLOWER, follower, false)));
  let i = 0;
  const goals: Measure[] = [
    echo.measure,
    () => figure(`${MAIN}: get`, () => main.get('read', KEYS[i++ % 1000] as string), 200),
    worker.measure,
    ...(follower === undefined ? [] : [() => concurrentGets(FOLLOWER, follower)]),
  ];
  const rounds = new Map<string, Figure[]>();
  for (let round = 0; round < 3; round++) {
    for (let turn = 0; turn < goals.length; turn++) {
      const measured = await (goals[(round + turn) % goals.length] as Measure)();
      rounds.set(measured.name, [...(rounds.get(measured.name) ?? []), measured]);
    }
  }
  echo.stop();
  worker.stop();
  await main.close();
  await follower?.close();
  return figures.map((f) => {
    const measured = rounds.get(f.name);
    if (measured === undefined) return f;
    const medianOf = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1] as number;
    return {
      name: f.name,
      medianNs: medianOf(measured.map((m) => m.medianNs)),
      p75Ns: medianOf(measured.map((m) => m.p75Ns)),
      samples: measured.reduce((sum, m) => sum + m.samples, 0),
      roundsNs: measured.map((m) => m.medianNs),
    };
  });
}

const result = lead === null ? measureAll() : leadShared(lead);
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
