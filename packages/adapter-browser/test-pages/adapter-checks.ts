/**
 * The adapter's own checks, run beside the conformance suite in every browser configuration:
 * what the C-API driver and the message boundary could get wrong.
 */

import { ClosedError, NotFoundError, QuotaExceededError, StoreError, type StoreEvent } from '@go-store/adapter-browser';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Open } from './suites.js';

export function registerAdapterChecks(label: string, open: Open): void {
  const test = suite(`${label}: adapter`);

  test('strings round-trip exactly through bind and column: NUL, emoji, CJK, RTL, empty', async () => {
    const store = await open();
    try {
      const samples = [
        '',
        'a\u0000b',
        '\u0000',
        '😀🎉',
        '中文字符',
        'שלום עולם',
        "it's; DROP TABLE kv; --",
        '%_\\',
        '\n\r\t',
      ];
      for (const [i, value] of samples.entries()) await store.set(`g${value}`, `k${i}${value}`, value);
      for (const [i, value] of samples.entries()) assert.is(await store.get(`g${value}`, `k${i}${value}`), value);
    } finally {
      await store.close();
    }
  });

  test('a 1 MB value and a 10,000-character key round-trip', async () => {
    const store = await open();
    try {
      const big = 'é'.repeat(512 * 1024);
      const key = 'k'.repeat(10_000);
      await store.set('big', key, big);
      assert.is(await store.get('big', key), big);
    } finally {
      await store.close();
    }
  });

  test('getAll returns 1,000 keys', async () => {
    const store = await open();
    try {
      const entries: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) entries[`key-${i}`] = `value-${i}`;
      await store.setMany('many', entries);
      const all = await store.getAll('many');
      assert.is(Object.keys(all).length, 1000);
      assert.is(all['key-999'], 'value-999');
    } finally {
      await store.close();
    }
  });

  test('errors are the core classes: instanceof works across the adapter', async () => {
    const store = await open();
    try {
      const error = await store.get('none', 'missing').catch((e: unknown) => e);
      assert.instance(error, NotFoundError);
      assert.instance(error, StoreError);
      assert.is((error as StoreError).code, 'NOT_FOUND');
    } finally {
      await store.close();
    }
    const closed = await store.get('g', 'k').catch((e: unknown) => e);
    assert.instance(closed, ClosedError);
  });

  test('quota check and write stay atomic: 200 concurrent sets against maxKeys 50', async () => {
    const store = await open();
    try {
      const scoped = store.scope('tenant', { maxKeys: 50 });
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => scoped.set('g', `k${i}`, 'v')));
      const rejected = results.filter((r) => r.status === 'rejected');
      assert.is(rejected.length, 150);
      assert.ok(rejected.every((r) => (r as PromiseRejectedResult).reason instanceof QuotaExceededError));
      assert.is(await scoped.count('g'), 50);
    } finally {
      await store.close();
    }
  });

  test('a failed transaction leaves no write and no event', async () => {
    const store = await open();
    const events: StoreEvent[] = [];
    store.onChange((event) => events.push(event));
    try {
      const failure = new Error('stop');
      const error = await store
        .transaction(async (tx) => {
          await tx.set('tx', 'a', '1');
          throw failure;
        })
        .catch((e: unknown) => e);
      assert.is(error, failure);
      assert.is(await store.has('tx', 'a'), false);
      assert.is(events.length, 0);
    } finally {
      await store.close();
    }
  });

  test('events reach onChange and watch in commit order', async () => {
    const store = await open();
    try {
      const seen: string[] = [];
      store.onChange((event) => seen.push(`${event.type}:${event.key}`));
      const watcher = store.watch('w', '*');
      await store.set('w', 'a', '1');
      await store.set('w', 'b', '2');
      await store.delete('w', 'a');
      await store.deleteGroup('w');
      assert.equal(seen, ['set:a', 'set:b', 'delete:a', 'delete_group:']);
      const first = await watcher.next();
      assert.is(first.value?.key, 'a');
      store.unwatch(watcher);
    } finally {
      await store.close();
    }
  });

  test('integers beyond 32 bits and TTLs survive binding', async () => {
    let now = 2_000_000_000_000;
    const store = await open({ now: () => now, purgeIntervalMs: 0 });
    try {
      await store.setWithTTL('ttl', 'k', 'v', 1000);
      assert.is(await store.get('ttl', 'k'), 'v');
      now += 1001;
      assert.is(await store.has('ttl', 'k'), false);
      await store.setWithTTL('ttl', 'far', 'v', 8_000_000_000_000_000);
      assert.is(await store.get('ttl', 'far'), 'v');
    } finally {
      await store.close();
    }
  });

  test.run();
}
