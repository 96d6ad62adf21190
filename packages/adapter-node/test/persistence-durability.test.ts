/**
 * What a write's Promise promises about durability: relaxed mode's bound under a stream of
 * writes, and the outcome of a write whose durability failed (see docs/persistence.md).
 */
import * as nodePath from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openFileStore, tempDir, wrapFs } from './persistence-helpers.js';

const durability = suite('persistence: durability');

durability(
  'relaxed mode: under a tight loop of awaited sets, no record waits much longer than relaxedIntervalMs for its fsync',
  async () => {
    const interval = 20;
    const db = nodePath.join(tempDir('relaxed'), 'r.db');
    const store = await openFileStore(db, { durability: 'relaxed', relaxedIntervalMs: interval });
    const fsyncs: number[] = [];
    const resolved: number[] = [];
    const restore = wrapFs('fdatasyncSync', () => {
      fsyncs.push(performance.now());
    });
    try {
      // Awaited sets never yield to the timers' phase of the event loop (each resolves in a
      // microtask), so only the write path itself can notice that the interval has passed.
      const start = performance.now();
      resolved.push(start);
      for (let i = 0; performance.now() - start < 25 * interval; i++) {
        await store.set('g', `k${i % 100}`, `v${i}`);
        resolved.push(performance.now());
      }
    } finally {
      restore();
    }
    await store.close();
    assert.ok(resolved.length > 20, `only ${resolved.length} sets ran`);
    // Write i was handed to the kernel after resolved[i - 1]; write j checks the interval after
    // resolved[j - 1]. So once resolved[j - 1] - resolved[i] >= interval, an fsync must have
    // happened between the start of write i and the end of write j.
    let checked = 0;
    for (let i = 1; i < resolved.length; i++) {
      let j = i + 1;
      while (j < resolved.length && resolved[j - 1] - resolved[i] < interval) j++;
      if (j >= resolved.length) break;
      checked++;
      assert.ok(
        fsyncs.some((f) => f >= resolved[i - 1] && f <= resolved[j]),
        `write ${i} (resolved at ${(resolved[i] - resolved[0]).toFixed(1)} ms) had no fsync by write ${j} (${(resolved[j] - resolved[0]).toFixed(1)} ms); fsyncs at ${fsyncs.map((f) => (f - resolved[0]).toFixed(1)).join(', ')}`,
      );
    }
    assert.ok(checked > 0, 'the loop ran longer than the interval');
  },
);

durability.run();
