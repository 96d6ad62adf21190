/**
 * One benchmark's figures, in nanoseconds per call. Browsers coarsen `performance.now()` (5 µs
 * in a cross-origin isolated page, 100 µs otherwise), so mitata measures batches of `batch`
 * awaited calls and the figures are divided back to one call.
 */
import type { Store } from '@go-store/adapter-browser';
import { measure } from 'mitata';

/** The keys every store run reads and writes, and their value. */
export const KEYS = Array.from({ length: 1000 }, (_, i) => `key-${String(i).padStart(4, '0')}`);
export const VALUE = 'value-'.padEnd(64, 'x');

export interface Figure {
  readonly name: string;
  readonly medianNs: number;
  readonly p75Ns: number;
  readonly samples: number;
  /** For a figure measured in rounds: each round's median (the figure's is their median). */
  readonly roundsNs?: readonly number[];
}

/** Measures `fn` (awaited when it returns a Promise), `batch` calls per sample; keeps the median. */
export async function figure(name: string, fn: () => unknown, batch = 1): Promise<Figure> {
  const stats = await measure(
    async () => {
      for (let i = 0; i < batch; i++) await fn();
    },
    { min_cpu_time: 400_000_000, max_samples: 1_000 },
  );
  return { name, medianNs: stats.p50 / batch, p75Ns: stats.p75 / batch, samples: stats.samples.length };
}

/**
 * Runs gets, sets and getAlls on `store` for `ms` milliseconds: V8 compiles WebAssembly quickly
 * at first and optimises it in the background, so the context that runs SQLite needs this
 * before its figures are steady (see bench-worker.ts).
 */
export async function warmUp(store: Store, ms = 1_500): Promise<void> {
  await store.setMany('read', Object.fromEntries(KEYS.map((key) => [key, VALUE])));
  const until = performance.now() + ms;
  for (let i = 0; performance.now() < until; i++) {
    await store.get('read', KEYS[i % 1000] as string);
    await store.set('write', KEYS[i % 1000] as string, VALUE);
    if (i % 100 === 0) await store.getAll('read');
  }
}

/** 1,000 gets issued at once on `store` (filled by {@link storeFigures}), awaited together. */
export function concurrentGets(label: string, store: Store): Promise<Figure> {
  return figure(`${label}: 1,000 concurrent gets`, () => Promise.all(KEYS.map((key) => store.get('read', key))));
}

/**
 * get, set, getAll(1k) and 1,000 concurrent gets on `store`, which it fills first, then closes
 * (unless `close` is false): the same figures for every configuration, in a worker or on the
 * main thread.
 */
export async function storeFigures(label: string, store: Store, close = true): Promise<Figure[]> {
  await store.setMany('read', Object.fromEntries(KEYS.map((key) => [key, VALUE])));
  let i = 0;
  let j = 0;
  const figures = [
    await figure(`${label}: get`, () => store.get('read', KEYS[i++ % 1000] as string), 200),
    await figure(`${label}: set`, () => store.set('write', KEYS[j++ % 1000] as string, VALUE), 20),
    await figure(`${label}: getAll(1k)`, () => store.getAll('read'), 10),
    await concurrentGets(label, store),
  ];
  if (close) await store.close();
  return figures;
}
