/**
 * Compaction of the sql.js file engine (see docs/persistence.md), measured in one run:
 *
 * 1. Durable `set` latency while a ~100 MB database compacts, beside the same sets on a copy of
 *    that database with no compaction running: median, p99 and worst of sequential awaited
 *    sets, and the event loop's longest pause (the longest gap between runs of a 1 ms interval timer), with the
 *    snapshot taken in a worker thread (the default) and on the main thread
 *    (`snapshotWorker: false`). The compaction window runs from the set whose record takes the
 *    log over its threshold to the set after which the log has been trimmed. The baseline runs
 *    as many sets, just before.
 * 2. The log's size over the database's under a sustained stream of writes (50 concurrent
 *    writers overwriting the keys of a ~20 MB database for a few seconds, default compaction
 *    settings): the largest seen and the ratio at the end.
 *
 *   node bench/run.mjs compaction            (a few minutes: fills a 100 MB database)
 *   node bench/suites/compaction.mjs --smoke (seconds: checks it runs, on 2 MB)
 *
 * Target: p99 durable set during the compaction of a 100 MB database ≤ 20 ms.
 */
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { fillStore, formatNs, report, smoke } from '../lib/harness.mjs';

const SUITE = 'compaction';
const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-compaction-'));
const VALUE = 'v'.repeat(200);
const MB = 2 ** 20;
const NO_COMPACTION = { compactMinBytes: 2 ** 50 };
/** Compaction starts once the log holds this much (the database's size is far more). */
const THRESHOLD = smoke ? 64 * 1024 : MB;

/** Fills a database of about `mb` MB through the store, in large transactions, and closes it. */
async function fill(path, mb) {
  const store = await openStore(path, { purgeIntervalMs: 0, ...NO_COMPACTION });
  const rows = await fillStore(store, mb);
  await store.close();
  return rows;
}

/**
 * Copies a file and syncs the copy: otherwise the kernel writes the copy back during the
 * measurement, and the log's first fsyncs wait for it (a second-long pause, compaction or not).
 */
function copySynced(from, to) {
  copyFileSync(from, to);
  const fd = openSync(to, 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * The event loop's longest pause from now on: a 1 ms interval timer notes when it runs, and the
 * longest gap between two of its runs, less the interval, is how long the loop could not run it.
 */
function pauseMeter() {
  let last = performance.now();
  let from = last;
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    // Only the part of a gap after `from` counts (a pause may start just before it).
    longest = Math.max(longest, now - Math.max(last, from) - 1);
    last = now;
  }, 1);
  return {
    /** Counts only the pauses that start from now on. */
    restart() {
      from = performance.now();
      longest = 0;
    },
    /** Stops, and returns the longest pause in nanoseconds. */
    stop() {
      clearInterval(timer);
      longest = Math.max(longest, performance.now() - Math.max(last, from) - 1);
      return Math.max(0, longest) * 1e6;
    },
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1), n: sorted.length };
}

/** Latencies (ns) of `count` sequential durable sets. */
async function timedSets(store, count, key) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await store.set('w', key(i), VALUE);
    out.push((performance.now() - started) * 1e6);
  }
  return out;
}

/**
 * Sequential durable sets on a store whose threshold is {@link THRESHOLD} bytes of log, from the set that
 * takes the log over it to the set after which the log was trimmed: the compaction window.
 */
async function compactionWindow(store, path) {
  const log = `${path}.gslog`;
  const threshold = THRESHOLD;
  let i = 0;
  const key = () => `fresh-${i++}`;
  // Up to the threshold: no compaction yet. The set whose record takes the log over it starts
  // the compaction (on the main thread, its snapshot is taken within that set): it is the
  // first of the window, and the event loop's pauses are counted from its start.
  const loop = pauseMeter();
  let first = 0;
  while (statSync(log).size < threshold) {
    loop.restart();
    const before = performance.now();
    await store.set('w', key(), VALUE);
    first = (performance.now() - before) * 1e6;
  }
  // The compaction ends when the snapshot replaces the database file (a new inode), in the
  // same step as the log is trimmed.
  const inode = statSync(path).ino;
  const latencies = [first];
  const started = performance.now();
  for (;;) {
    const before = performance.now();
    await store.set('w', key(), VALUE);
    latencies.push((performance.now() - before) * 1e6);
    if (statSync(path).ino !== inode) break;
    if (performance.now() - started > 600_000) throw new Error('compaction did not finish in 10 minutes');
  }
  return { latencies, ms: performance.now() - started, pauseNs: loop.stop() };
}

/**
 * Latencies (ns) of `count` sequential durable sets, and the event loop's longest pause, after
 * as many writes as the compacting store made before its window: the first page a write adds to
 * a freshly opened database makes sql.js copy the whole file in memory into a larger buffer (a
 * pause of its own, not compaction's), which those writes have already paid for.
 */
async function baselineSets(store, count) {
  for (let i = 0; i < 200; i++) await store.set('w', `warm-${i}`, VALUE);
  const loop = pauseMeter();
  const latencies = await timedSets(store, count, (i) => `fresh-${i}`);
  return { latencies, pauseNs: loop.stop() };
}

const results = [];
const row = (op, engine, ns, display) => results.push({ suite: SUITE, op, engine, medianNs: ns, display });

// 1. Latency during the compaction of a large database.
{
  const size = smoke ? 2 : 100;
  const original = join(dir, 'large.db');
  await fill(original, size);
  const bytes = statSync(original).size;
  const label = `${Math.round(bytes / MB)} MB database`;
  const compactWhenOver = { compactMinBytes: THRESHOLD, compactRatio: THRESHOLD / bytes };
  const variants = [
    { name: 'store, compaction in a worker thread', options: compactWhenOver },
    { name: 'store, compaction on the main thread', options: { ...compactWhenOver, snapshotWorker: false } },
  ];
  for (const variant of variants) {
    const path = join(dir, `${variant.name.replace(/\W+/g, '-')}.db`);
    const basePath = `${path}.baseline.db`;
    copySynced(original, path);
    copySynced(original, basePath);
    const store = await openStore(path, { purgeIntervalMs: 0, ...variant.options });
    const window = await compactionWindow(store, path);
    await store.close();
    // The baseline: as many sets on a copy of the same database, with no compaction.
    const baseline = await openStore(basePath, { purgeIntervalMs: 0, ...NO_COMPACTION });
    const baseRun = await baselineSets(baseline, window.latencies.length);
    const base = summary(baseRun.latencies);
    await baseline.close();
    const during = summary(window.latencies);
    const load = loadavg()[0].toFixed(1);
    for (const [p, name] of [
      ['p50', 'median'],
      ['p99', 'p99'],
      ['max', 'worst'],
    ]) {
      const op = `durable set ${name}, ${label} (${variant.name.includes('worker') ? 'worker' : 'main thread'})`;
      row(op, 'no compaction running (baseline)', base[p]);
      row(op, variant.name, during[p]);
    }
    const pauseOp = `longest event-loop pause, ${label} (${variant.name.includes('worker') ? 'worker' : 'main thread'})`;
    row(pauseOp, 'no compaction running (baseline)', baseRun.pauseNs);
    row(pauseOp, variant.name, window.pauseNs);
    process.stderr.write(
      `compaction ${label}, ${variant.name}: ${during.n} sets over ${window.ms.toFixed(0)} ms of compaction: ` +
        `median ${formatNs(during.p50)}, p99 ${formatNs(during.p99)}, worst ${formatNs(during.max)}; ` +
        `longest event-loop pause ${formatNs(window.pauseNs)}; ` +
        `no compaction: median ${formatNs(base.p50)}, p99 ${formatNs(base.p99)}, worst ${formatNs(base.max)}, ` +
        `longest pause ${formatNs(baseRun.pauseNs)}; load ${load}\n`,
    );
  }
}

// 2. The log's size over the database's under a sustained stream of writes.
{
  const size = smoke ? 1 : 20;
  const path = join(dir, 'stream.db');
  const rows = await fill(path, size);
  const store = await openStore(path, { purgeIntervalMs: 0 });
  const seconds = smoke ? 1 : 15;
  const stop = performance.now() + seconds * 1000;
  let worst = 0;
  let worstLog = 0;
  let worstDb = 0;
  let writes = 0;
  const sample = () => {
    const log = statSync(`${path}.gslog`).size;
    const db = statSync(path).size;
    if (log / db > worst) [worst, worstLog, worstDb] = [log / db, log, db];
  };
  await Promise.all(
    Array.from({ length: 50 }, async (_, w) => {
      for (let i = w; performance.now() < stop; i += 50) {
        await store.set(`g${i % 50}`, `key-${String((i * 7919) % rows).padStart(8, '0')}`, `${i} ${VALUE}`);
        writes++;
        if (w === 0) sample();
      }
    }),
  );
  sample();
  const endRatio = statSync(`${path}.gslog`).size / statSync(path).size;
  await store.close();
  const op = `log ÷ database, ${seconds} s of writes (50 writers, ${size} MB)`;
  row(
    op,
    'store, largest',
    worst,
    `${worst.toFixed(2)}× (${(worstLog / MB).toFixed(1)} MB beside ${(worstDb / MB).toFixed(1)} MB)`,
  );
  row(op, 'store, at the end', endRatio, `${endRatio.toFixed(2)}×`);
  process.stderr.write(
    `compaction sustained writes: ${writes} sets in ${seconds} s; log ÷ database largest ${worst.toFixed(2)}× ` +
      `(${(worstLog / MB).toFixed(1)} MB beside ${(worstDb / MB).toFixed(1)} MB), at the end ${endRatio.toFixed(2)}×\n`,
  );
}

report(results);
rmSync(dir, { recursive: true, force: true });
