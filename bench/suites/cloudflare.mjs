/**
 * Cloudflare, in workerd through Miniflare: the store inside one SQLite-backed Durable Object
 * against the same SQL through raw `ctx.storage.sql.exec`, and the store on D1 against the
 * same SQL through raw D1 statements. The measuring runs inside workerd (`workers/cloudflare.js`),
 * timing blocks of operations because workerd's clock moves in whole milliseconds; this side
 * bundles it, serves it and reports the median of its rounds for each engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { report, smoke } from '../lib/harness.mjs';

const entry = fileURLToPath(new URL('../workers/cloudflare.js', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'go-store-bench-cloudflare-'));
// Blocks long enough for a millisecond clock: ~2,000 Durable Object calls, ~200 D1 round trips.
const plan = smoke
  ? { durableObject: { n: 50, rounds: 1 }, d1: { n: 5, rounds: 1 } }
  : { durableObject: { n: 2_000, rounds: 15 }, d1: { n: 200, rounds: 9 } };

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

let mf;
try {
  // The packages bundled here have no runtime-specific exports and import no built-in module.
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    outfile: join(folder, 'worker.js'),
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: true,
    modulesRoot: folder,
    scriptPath: join(folder, 'worker.js'),
    compatibilityDate: '2026-04-01',
    durableObjects: { BENCH: { className: 'BenchObject', useSQLite: true } },
    d1Databases: ['DB'],
  });
  const results = [];
  for (const [path, { n, rounds }] of [
    ['/durable-object', plan.durableObject],
    ['/d1', plan.d1],
  ]) {
    const response = await mf.dispatchFetch(`http://bench${path}?n=${n}&rounds=${rounds}`);
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    for (const [op, engines] of Object.entries(await response.json())) {
      for (const [engine, samples] of Object.entries(engines)) {
        results.push({ suite: 'cloudflare', op, engine, medianNs: median(samples) });
      }
    }
  }
  report(results);
} finally {
  await mf?.dispose();
  rmSync(folder, { recursive: true, force: true });
}
