/**
 * `setMany` of 1,000 keys against 1,000 `set`s (awaited one by one, and issued together), in
 * memory and on a durable file (the default 'full' durability: every acknowledged write is
 * fsynced).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { measureAll, report, smoke } from '../lib/harness.mjs';

const N = smoke ? 50 : 1_000;
const dir = mkdtempSync(join(tmpdir(), 'go-store-bench-'));
const memory = await openStore(':memory:', { purgeIntervalMs: 0 });
const file = await openStore(join(dir, 'batches.db'), { purgeIntervalMs: 0 });

let round = 0;
const entries = () => {
  round++;
  return Array.from({ length: N }, (_, i) => [`key-${i}`, `value-${round}-${i}`]);
};

const cases = [];
for (const [where, store] of [
  ['in memory', memory],
  ['durable file', file],
]) {
  const op = `${N} writes, ${where}`;
  cases.push(
    {
      op,
      engine: `${N} awaited sets (baseline)`,
      fn: async () => {
        for (const [k, v] of entries()) await store.set('g', k, v);
      },
    },
    { op, engine: `${N} concurrent sets`, fn: () => Promise.all(entries().map(([k, v]) => store.set('g', k, v))) },
    { op, engine: 'store', fn: () => store.setMany('g', entries()) },
  );
}
const results = await measureAll('batches', cases);
for (const r of results) if (r.engine === 'store') r.engine = `store (setMany of ${N})`;
report(results);
await memory.close();
await file.close();
rmSync(dir, { recursive: true, force: true });
