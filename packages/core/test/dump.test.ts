/**
 * dump and load: the JSON Lines format (header, one entry per live key in (group, key)
 * code-point order, expiries as Unix ms), exact round trips, and loads that are all or nothing.
 */

import {
  createStore,
  DUMP_HEADER,
  dump,
  InvalidArgumentError,
  load,
  type Store,
  type StoreEvent,
} from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const T0 = 1_700_000_000_000;

async function open(clock = { now: T0 }): Promise<Store> {
  const SQL = await loadSqlJs();
  return createStore(createSqlJsDriver(new SQL.Database()), { now: () => clock.now, purgeIntervalMs: 0 });
}

async function lines(store: Store, pageSize?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of dump(store, pageSize === undefined ? {} : { pageSize })) out.push(line);
  return out;
}

/** Asserts that `fn` rejects with an error matching `expected` (a message pattern or a class). */
async function rejects(
  fn: () => Promise<unknown>,
  expected: RegExp | (new (...args: never[]) => Error),
): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, Error, 'expected a rejection');
  if (expected instanceof RegExp) assert.match((error as Error).message, expected);
  else assert.instance(error, expected);
}

const AWKWARD = ['', 'nul\u0000byte', 'line\nbreak\r\n', '😀 emoji', '中文', 'שלום', '%_\\', '"quoted"', '\u2028'];

test('dump: a header, then one line per live entry in (group, key) code-point order', async () => {
  const clock = { now: T0 };
  const store = await open(clock);
  await store.set('b', 'k', '1');
  await store.set('a', '\u{1F600}', 'astral');
  await store.set('a', '\uFFFF', 'bmp');
  await store.setWithTTL('a', 'ttl', 'x', 5000);
  await store.setWithTTL('a', 'gone', 'y', 10);
  clock.now += 100;
  assert.equal(await lines(store), [
    DUMP_HEADER,
    '{"group":"a","key":"ttl","value":"x","expiresAt":1700000005000}',
    '{"group":"a","key":"\uFFFF","value":"bmp","expiresAt":null}',
    '{"group":"a","key":"\u{1F600}","value":"astral","expiresAt":null}',
    '{"group":"b","key":"k","value":"1","expiresAt":null}',
  ]);
  await store.close();
});

test('dump: pages across groups never skip or repeat an entry, whatever the page size', async () => {
  const store = await open();
  const expected: string[] = [];
  for (const group of ['g1', 'g2', 'g3']) {
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < 7; i++) entries.push([`k${i}`, `${group}-${i}`]);
    await store.setMany(group, entries);
  }
  for (const size of [1, 2, 3, 7, 21, 100]) {
    const got = await lines(store, size);
    if (expected.length === 0) expected.push(...got);
    assert.equal(got.length, 22, `page size ${size}`);
    assert.equal(got, expected, `page size ${size}`);
  }
  await store.close();
});

test('dump → load: every string and expiry round-trips exactly', async () => {
  const source = await open();
  let i = 0;
  for (const group of AWKWARD) {
    for (const key of AWKWARD) {
      const value = `${AWKWARD[i % AWKWARD.length]}${'v'.repeat(i % 3)}`;
      if (i % 4 === 0) await source.setWithTTL(group, key, value, 60_000 + i);
      else await source.set(group, key, value);
      i++;
    }
  }
  const dumped = await lines(source);
  const target = await open();
  assert.is(await load(target, dumped), AWKWARD.length * AWKWARD.length);
  assert.equal(await lines(target), dumped);
  await source.close();
  await target.close();
});

test('load: upserts into what is there; replace empties first in the same transaction', async () => {
  const store = await open();
  await store.set('keep', 'k', 'old');
  await store.set('a', 'k', 'old');
  const input = [DUMP_HEADER, '{"group":"a","key":"k","value":"new","expiresAt":null}'];
  assert.is(await load(store, input), 1);
  assert.equal(await store.getAll('keep'), Object.assign(Object.create(null), { k: 'old' }));
  assert.is(await store.get('a', 'k'), 'new');
  assert.is(await load(store, input, { replace: true }), 1);
  assert.equal(await store.groups(), ['a']);
  await store.close();
});

test('load: a malformed line rejects naming its line number, and nothing changes', async () => {
  const bad: Array<[string, RegExp]> = [
    ['{"group":"a","key":"k","value":"v"', /line 3: not valid JSON/],
    ['{"group":"a","key":"k","value":5,"expiresAt":null}', /line 3: value must be a string/],
    ['{"group":"a","key":"k","value":"v","expiresAt":"soon"}', /line 3: expiresAt must be null/],
    ['{"group":"a","key":"k","value":"v"}', /line 3: expiresAt must be null/],
    ['{"group":"a","key":"k","value":"v","expiresAt":null,"extra":1}', /line 3: unexpected field "extra"/],
    ['["a","k","v",null]', /line 3: expected an object/],
  ];
  for (const [line, message] of bad) {
    for (const replace of [false, true]) {
      const store = await open();
      await store.set('a', 'k', 'before');
      await store.set('z', 'k', 'kept');
      const events: StoreEvent[] = [];
      store.onChange((event) => events.push(event));
      const input = [DUMP_HEADER, '{"group":"b","key":"k","value":"v","expiresAt":null}', line];
      try {
        await load(store, input, { replace });
        assert.unreachable('load should reject');
      } catch (error) {
        assert.instance(error, InvalidArgumentError);
        assert.match((error as Error).message, message);
      }
      assert.equal(await store.groups(), ['a', 'z']);
      assert.is(await store.get('a', 'k'), 'before');
      assert.equal(events, []);
      await store.close();
    }
  }
});

test('load: the header is required and its version checked', async () => {
  const store = await open();
  await rejects(() => load(store, []), /the input is empty/);
  await rejects(
    () => load(store, ['{"group":"a","key":"k","value":"v","expiresAt":null}']),
    /line 1: expected the header/,
  );
  await rejects(() => load(store, ['{"goStoreDump":2}']), /line 1: unsupported dump version 2/);
  await rejects(() => load(store, ['not json']), /line 1: not valid JSON/);
  await rejects(() => load(store, 'text' as unknown as string[]), InvalidArgumentError);
  assert.equal(await store.groups(), []);
  await store.close();
});

test('load: reads async iterables, skips empty lines and tolerates CRLF', async () => {
  const store = await open();
  async function* input(): AsyncGenerator<string> {
    yield `${DUMP_HEADER}\r`;
    yield '';
    yield '{"group":"a","key":"k","value":"v\\r","expiresAt":null}\r';
  }
  assert.is(await load(store, input()), 1);
  assert.is(await store.get('a', 'k'), 'v\r');
  await store.close();
});

test('load: an entry whose expiry has passed is stored expired, as setWithTTL(<= 0) does', async () => {
  const store = await open();
  await store.set('a', 'k', 'live');
  await load(store, [DUMP_HEADER, `{"group":"a","key":"k","value":"v","expiresAt":${T0 - 1}}`]);
  assert.is(await store.has('a', 'k'), false);
  await store.close();
});

test('setMany: expiresAt sets an absolute expiry and cannot be combined with ttlMs', async () => {
  const clock = { now: T0 };
  const store = await open(clock);
  await store.setMany('g', { a: '1' }, { expiresAt: T0 + 10 });
  clock.now = T0 + 9;
  assert.is(await store.has('g', 'a'), true);
  clock.now = T0 + 10;
  assert.is(await store.has('g', 'a'), false);
  await rejects(() => store.setMany('g', { a: '1' }, { expiresAt: T0, ttlMs: 5 }), /not both/);
  await rejects(() => store.setMany('g', { a: '1' }, { expiresAt: 1.5 }), /expiresAt must be null/);
  await store.close();
});

test('setWithTTL: a TTL of the wrong type names the type it got', async () => {
  const store = await open();
  await rejects(
    () => store.setWithTTL('g', 'k', 'v', '5000' as unknown as number),
    /ttlMs must be a finite number of milliseconds, got string "5000"/,
  );
  await rejects(() => store.setWithTTL('g', 'k', 'v', Number.NaN), /got NaN/);
  await store.close();
});

test.run();
