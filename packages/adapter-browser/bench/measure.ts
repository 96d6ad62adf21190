/**
 * One benchmark's figures, in nanoseconds per call. Browsers coarsen `performance.now()` (5 µs
 * in a cross-origin isolated page, 100 µs otherwise), so mitata measures batches of `batch`
 * awaited calls and the figures are divided back to one call.
 */
import { measure } from 'mitata';

export interface Figure {
  readonly name: string;
  readonly medianNs: number;
  readonly p75Ns: number;
  readonly samples: number;
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
