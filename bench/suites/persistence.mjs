/**
 * File persistence (issue 4), side by side in one run, medians (p50) from mitata:
 *
 * 1. a durable `set` on a database of 200,000 rows against one on an empty database (the cost
 *    of a write must not grow with the database; compaction is amortised by its threshold), in
 *    'full' durability (fsync per group) and in 'relaxed' (no fsync wait: the CPU cost alone);
 * 2. sequential durable `set`s against a bare append + fdatasync of a record of similar size to
 *    a plain file (the floor for any durable write on this disk);
 * 3. 100 concurrent writers, each awaiting its durable `set`s: acknowledged writes per second
 *    (they share fsyncs: group commit).
 *
 *   pnpm bench persistence                                        (about a minute)
 *   node bench/suites/persistence.mjs --smoke                      (seconds: checks it runs)
 *
 * Targets: 1 ≤ 1.2×, 2 ≤ 1.3×, 3 ≥ 30,000 writes/s.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { formatNs, measureAll, report, smoke } from '../lib/harness.mjs';

const openFile = (path, options = {}) => openStore(path, { purgeIntervalMs: 0, ...options });

const ROWS = smoke ? 2_000 : 200_000;
const WRITERS = 100;
const PER_WRITER = smoke ? 2 : 10;
const VALUE = 'v'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-persistence-'));

// The large database: filled in transactions of 10,000 rows, then closed (compacted) and reopened.
{
  const store = await openFile(join(dir, 'large.db'));
  for (let start = 0; start < ROWS; start += 10_000) {
    const entries = [];
    for (let i = start; i < Math.min(ROWS, start + 10_000); i++)
      entries.push([`key-${String(i).padStart(7, '0')}`, `value ${i} ${VALUE}`]);
    await store.transaction((tx) => tx.setMany(`group-${(start / 10_000) % 100}`, entries));
  }
  await store.close();
}

const stores = {
  emptyFull: await openFile(join(dir, 'empty-full.db')),
  largeFull: await openFile(join(dir, 'large.db')),
  sequential: await openFile(join(dir, 'sequential.db')),
  concurrent: await openFile(join(dir, 'concurrent.db')),
};
// The relaxed pair on copies of the same shapes.
{
  const store = await openFile(join(dir, 'large-relaxed.db'));
  for (let start = 0; start < ROWS; start += 10_000) {
    const entries = [];
    for (let i = start; i < Math.min(ROWS, start + 10_000); i++)
      entries.push([`key-${String(i).padStart(7, '0')}`, `value ${i} ${VALUE}`]);
    await store.transaction((tx) => tx.setMany(`group-${(start / 10_000) % 100}`, entries));
  }
  await store.close();
}
stores.emptyRelaxed = await openFile(join(dir, 'empty-relaxed.db'), { durability: 'relaxed' });
stores.largeRelaxed = await openFile(join(dir, 'large-relaxed.db'), { durability: 'relaxed' });

// New keys spread over the key space (inserts into the B-tree, not appends at its end).
let n = 0;
const nextKey = () => `key-${String((n++ * 7919) % 10_000_000).padStart(7, '0')}-new`;

// A bare durable append: the same size as a log record of one `set`.
const bareFd = openSync(join(dir, 'bare.log'), 'a');
const record = Buffer.alloc(8 + 150, 0x61);

const cases = [
  {
    op: 'durable set (full)',
    engine: 'empty database (baseline)',
    fn: () => stores.emptyFull.set('g', nextKey(), VALUE),
  },
  { op: 'durable set (full)', engine: `store at ${ROWS} rows`, fn: () => stores.largeFull.set('g', nextKey(), VALUE) },
  {
    op: 'set (relaxed)',
    engine: 'empty database (baseline)',
    fn: () => stores.emptyRelaxed.set('g', nextKey(), VALUE),
  },
  { op: 'set (relaxed)', engine: `store at ${ROWS} rows`, fn: () => stores.largeRelaxed.set('g', nextKey(), VALUE) },
  {
    op: 'sequential durable write',
    engine: 'bare append + fdatasync (baseline)',
    fn: () => {
      writeSync(bareFd, record);
      fdatasyncSync(bareFd);
    },
  },
  {
    op: 'sequential durable write',
    engine: 'store (set, full)',
    fn: () => stores.sequential.set('g', nextKey(), VALUE),
  },
  {
    op: `${WRITERS} concurrent writers`,
    engine: 'store (set, full)',
    opsPerCall: WRITERS * PER_WRITER,
    fn: () =>
      Promise.all(
        Array.from({ length: WRITERS }, async () => {
          for (let i = 0; i < PER_WRITER; i++) await stores.concurrent.set('g', nextKey(), VALUE);
        }),
      ),
  },
];

const results = await measureAll('persistence', cases);
report(results);

const of = (op, prefix) => results.find((r) => r.op === op && r.engine.startsWith(prefix)).medianNs;
const ratio1 = of('durable set (full)', 'store at') / of('durable set (full)', 'empty');
const ratio1r = of('set (relaxed)', 'store at') / of('set (relaxed)', 'empty');
const ratio2 = of('sequential durable write', 'store') / of('sequential durable write', 'bare');
const perSecond = 1e9 / of(`${WRITERS} concurrent writers`, 'store');
const lines = [
  '',
  'persistence: medians and ratios',
  `  durable set at ${ROWS} rows ÷ on an empty database: ${ratio1.toFixed(2)}× (target ≤ 1.2×)` +
    `  [${formatNs(of('durable set (full)', 'store at'))} vs ${formatNs(of('durable set (full)', 'empty'))}]`,
  `  relaxed set at ${ROWS} rows ÷ on an empty database: ${ratio1r.toFixed(2)}×` +
    `  [${formatNs(of('set (relaxed)', 'store at'))} vs ${formatNs(of('set (relaxed)', 'empty'))}]`,
  `  sequential durable set ÷ bare append + fdatasync: ${ratio2.toFixed(2)}× (target ≤ 1.3×)` +
    `  [${formatNs(of('sequential durable write', 'store'))} vs ${formatNs(of('sequential durable write', 'bare'))}]`,
  `  ${WRITERS} concurrent durable writers: ${Math.round(perSecond).toLocaleString('en-GB')} acknowledged writes/s (target ≥ 30,000)`,
  '',
];
process.stderr.write(lines.join('\n'));

for (const store of Object.values(stores)) await store.close();
closeSync(bareFd);
rmSync(dir, { recursive: true, force: true });
