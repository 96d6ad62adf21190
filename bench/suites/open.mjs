/**
 * Opening a file database of 1, 10 and 100 MB: the time `openStore` takes, and the process's
 * resident memory once it is open (target: at most 1.3 × the database's size + 80 MB). Each
 * open runs in a fresh process, three times; medians are reported.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { fillStore, report, smoke } from '../lib/harness.mjs';

if (process.argv[2] === '--child') {
  // Child: open, touch, measure, print.
  const started = performance.now();
  const store = await openStore(process.argv[3], { purgeIntervalMs: 0 });
  await store.count('g0');
  const openNs = (performance.now() - started) * 1e6;
  globalThis.gc?.();
  const rss = process.memoryUsage().rss;
  await store.close();
  process.stdout.write(JSON.stringify({ openNs, rss }));
  process.exit(0);
}

const SIZES_MB = smoke ? [1] : [1, 10, 100];
const RUNS = smoke ? 1 : 3;
const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-open-'));
const results = [];

for (const mb of SIZES_MB) {
  const path = join(dir, `${mb}mb.db`);
  const store = await openStore(path, { purgeIntervalMs: 0 });
  await fillStore(store, mb);
  await store.close();
  const size = statSync(path).size;
  const samples = [];
  for (let run = 0; run < RUNS; run++) {
    const out = execFileSync(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, '--child', path], {
      encoding: 'utf8',
    });
    samples.push(JSON.parse(out));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const openNs = median(samples.map((s) => s.openNs));
  const rss = median(samples.map((s) => s.rss));
  const limit = 1.3 * size + 80 * 2 ** 20;
  const label = `${(size / 2 ** 20).toFixed(0)} MB database`;
  results.push({ suite: 'open', op: `open, ${label}`, engine: 'store', medianNs: openNs });
  results.push({
    suite: 'open',
    op: `RSS after open, ${label}`,
    engine: 'store',
    medianNs: 0,
    display: `${(rss / 2 ** 20).toFixed(0)} MB (limit ${(limit / 2 ** 20).toFixed(0)} MB: ${(rss / limit).toFixed(2)} of it)`,
  });
  process.stderr.write(`open      ${label}: ${(openNs / 1e6).toFixed(1)} ms, RSS ${(rss / 2 ** 20).toFixed(0)} MB\n`);
}
report(results);
rmSync(dir, { recursive: true, force: true });
