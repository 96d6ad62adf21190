/**
 * What a write's Promise promises about durability: relaxed mode's bound under a stream of
 * writes, and the outcome of a write whose durability failed (see docs/persistence.md).
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DriverError, WriteOutcomeUnknownError } from '@go-store/adapter-node';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mountTmpfs, openFileStore, resizeTmpfs, tempDir, unmountTmpfs, wrapFs } from './persistence-helpers.js';

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
    assert.ok(resolved.length > 5, `only ${resolved.length} sets ran`);
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

durability(
  'on a full disk: a transaction whose log write fails rejects with outcome unknown and emits no event; reopened, the counter holds every resolved one and at most the unknown ones',
  async () => {
    const disk = mountTmpfs('enospc', 512 * 1024);
    if (disk === undefined) return;
    try {
      const db = nodePath.join(disk, 'c.db');
      const store = await openFileStore(db, { compactMinBytes: 1 << 30 });
      const seen: number[] = [];
      store.onChange((event) => {
        if (event.key === 'n') seen.push(Number(event.value));
      });
      const pad = 'x'.repeat(3000);
      const increment = () =>
        store.transaction(async (tx) => {
          const n = Number(await tx.get('c', 'n').catch(() => '0')) + 1;
          await tx.set('c', 'n', String(n));
          await tx.set('pad', `p${n}`, pad);
          return n;
        });
      const resolved: number[] = [];
      const errors: unknown[] = [];
      while (errors.length === 0 && resolved.length < 10_000) {
        // Concurrent transactions share an fsync: several may be in the write that fails.
        for (const result of await Promise.allSettled(Array.from({ length: 8 }, increment))) {
          if (result.status === 'fulfilled') resolved.push(result.value);
          else errors.push(result.reason);
        }
      }
      const unknown = errors.filter((e) => e instanceof WriteOutcomeUnknownError);
      assert.ok(unknown.length > 0, `a write failed with outcome unknown: ${errors.map(String).join('; ')}`);
      for (const error of errors) {
        assert.ok(error instanceof DriverError, String(error));
        if (error instanceof WriteOutcomeUnknownError) {
          assert.is(error.outcome, 'unknown');
          assert.match(error.message, /no space left/);
        } else assert.match((error as Error).message, /refused \(nothing was written\)/);
      }
      assert.equal(seen, resolved, 'events for exactly the resolved transactions, in order');
      await store.close().catch(() => undefined);

      resizeTmpfs(disk, 8 * 1024 * 1024);
      const reopened = await openFileStore(db);
      const counter = Number(await reopened.get('c', 'n'));
      const last = resolved.at(-1) ?? 0;
      assert.ok(
        counter >= last && counter <= last + unknown.length,
        `counter ${counter}: ${last} resolved, ${unknown.length} unknown`,
      );
      assert.is(await reopened.count('pad'), counter);
      await reopened.close();
    } finally {
      unmountTmpfs(disk);
    }
  },
);

durability(
  'after a disk-full failure, reopening with little free space opens and reads everything acknowledged; the compaction is deferred and reported',
  async () => {
    const disk = mountTmpfs('nearly-full', 1024 * 1024);
    if (disk === undefined) return;
    try {
      const filler = nodePath.join(disk, 'filler');
      fs.writeFileSync(filler, new Uint8Array(160 * 1024));
      const db = nodePath.join(disk, 'n.db');
      const store = await openFileStore(db);
      const value = 'v'.repeat(3000);
      let acknowledged = 0;
      let failure: unknown;
      while (failure === undefined) {
        try {
          await store.set('g', `k${acknowledged}`, value);
          acknowledged++;
        } catch (error) {
          failure = error;
        }
      }
      assert.ok(failure instanceof WriteOutcomeUnknownError, String(failure));
      await store.close().catch(() => undefined);

      fs.rmSync(filler); // a little room: less than a snapshot of the database needs
      const reports: unknown[] = [];
      const reopened = await openFileStore(db, { onError: (e) => void reports.push(e) });
      assert.ok((await reopened.count('g')) >= acknowledged, 'every acknowledged write reads back');
      for (let i = 0; i < acknowledged; i += 17) assert.is(await reopened.get('g', `k${i}`), value);
      assert.ok(
        reports.some((e) => /compaction deferred/.test(String(e))),
        `the deferred compaction is reported: ${reports.map(String).join('; ')}`,
      );
      await reopened.set('g', 'after', 'reopen');
      assert.is(await reopened.get('g', 'after'), 'reopen');
      await reopened.close().catch(() => undefined);
      assert.not.ok(fs.existsSync(`${db}.gstmp`), 'no partial snapshot left');
    } finally {
      unmountTmpfs(disk);
    }
  },
);

durability.run();
