/**
 * docs/api.md, "Data model": every well-formed string round-trips exactly, as group, key and value; ill-formed
 * strings and non-strings are refused with InvalidArgumentError and change nothing; results
 * are ordered by Unicode code point.
 */
import { InvalidArgumentError, NotFoundError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect, record } from './event-shapes.js';
import { defineSuite, type Harness, rejects, withStore } from './support.js';

/** The list in docs/api.md, plus a few neighbours that catch normalisation or escaping. */
const EDGE_STRINGS: ReadonlyArray<readonly [string, string]> = [
  ['the empty string', ''],
  ['a NUL character alone', '\u0000'],
  ['NUL characters inside', 'a\u0000b\u0000'],
  ['newlines', 'line 1\nline 2\r\nline 3\r'],
  ['tabs and spaces at the ends', ' \t padded \t '],
  ['SQL metacharacters', "'; DROP TABLE kv; --"],
  ['quotes and backslashes', `"double" 'single' \`back\` \\ \\\\`],
  ['a percent sign', '%'],
  ['an underscore', '_'],
  ['LIKE and GLOB wildcards', '100%_done*?[a-z]'],
  ['emoji', '😀'],
  ['an emoji ZWJ sequence', '👩‍👩‍👧‍👦'],
  ['a flag (regional indicators)', '🇬🇧'],
  ['CJK', '日本語のテキスト 中文 한국어'],
  ['right-to-left Arabic', 'مرحبا بالعالم'],
  ['right-to-left Hebrew with marks', '\u202Bשָׁלוֹם\u202C'],
  ['a precomposed é', '\u00e9'],
  ['a decomposed é (no normalisation)', 'e\u0301'],
  ['a byte-order mark', '\uFEFF'],
  ['a leading byte-order mark', '\uFEFFtext'],
  ['a byte-order mark inside', 'text\uFEFFtext'],
  ['the highest code point', '\u{10FFFF}'],
  ['a private-use character', '\uE000'],
  ['C0 and C1 controls', '\u0001\u001F\u007F\u0080\u009F'],
  ['a JSON-looking value', '{"a":[1,2,{"b":null}]}'],
];

/** Strings a store must refuse: not well-formed UTF-16. */
const ILL_FORMED: ReadonlyArray<readonly [string, string]> = [
  ['a lone high surrogate', '\uD800'],
  ['a lone low surrogate', '\uDC00'],
  ['a lone surrogate inside text', 'ab\uD83Dcd'],
  ['a reversed surrogate pair', '\uDE00\uD83D'],
  ['a high surrogate at the end', 'emoji \uD83D'],
];

/** Values a store must refuse where a string is expected. */
const NON_STRINGS: ReadonlyArray<readonly [string, unknown]> = [
  ['a number', 42],
  ['NaN', Number.NaN],
  ['a bigint', 1n],
  ['a boolean', true],
  ['null', null],
  ['undefined', undefined],
  ['an object', { toString: () => 'k' }],
  ['an array', ['k']],
  ['a String object', new String('k')],
  ['a symbol', Symbol('k')],
];

export function stringsSuite(h: Harness): void {
  const test = defineSuite(h, 'strings');

  for (const [label, s] of EDGE_STRINGS) {
    test(`round-trip: ${label} as group, key and value`, () =>
      withStore(h, async (store) => {
        await store.set(s, 'key', 'in group');
        await store.set('group', s, 'in key');
        await store.set('group2', 'key', s);
        await store.set(s, s, s);
        assert.is(await store.get(s, 'key'), 'in group');
        assert.is(await store.get('group', s), 'in key');
        assert.is(await store.get('group2', 'key'), s);
        assert.is(await store.get(s, s), s);
        assert.is(await store.has(s, s), true);
        assert.is(await store.count(s), s === 'key' ? 1 : 2);

        const all = await store.getAll(s);
        assert.is(all[s], s);
        assert.is(all.key, 'in group');
        assert.ok(Object.hasOwn(await store.getAll('group'), s));

        const groups = await store.groups();
        assert.ok(groups.includes(s), `groups() must include ${JSON.stringify(s)}`);
        assert.equal(
          groups.filter((g) => g === s),
          [s],
          'each group is listed once',
        );

        const pairs = await collect(store.all(s));
        assert.ok(pairs.some((p) => p.key === s && p.value === s));

        const page = await store.getPage('group', { limit: 10 });
        assert.ok(page.some((p) => p.key === s && p.value === 'in key'));

        const many = await store.getMany('group', [s]);
        assert.is(many[s], 'in key');

        await store.delete(s, s);
        assert.is(await store.has(s, s), false);
        assert.is(await store.get(s, 'key'), 'in group');
      }));
  }

  test('round-trip: every edge-case string in one group stays distinct', () =>
    withStore(h, async (store) => {
      for (const [, s] of EDGE_STRINGS) await store.set('edge', s, `value of ${JSON.stringify(s)}`);
      assert.is(await store.count('edge'), EDGE_STRINGS.length);
      const all = await store.getAll('edge');
      for (const [, s] of EDGE_STRINGS) assert.is(all[s], `value of ${JSON.stringify(s)}`);
      // Precomposed and decomposed é are different strings and stay different keys.
      assert.is(await store.get('edge', '\u00e9'), `value of ${JSON.stringify('\u00e9')}`);
      assert.is(await store.get('edge', 'e\u0301'), `value of ${JSON.stringify('e\u0301')}`);
    }));

  test('round-trip: SQL metacharacters are data, never SQL (the table survives)', () =>
    withStore(h, async (store) => {
      const injection = "x'); DELETE FROM kv; --";
      await store.set('safe', 'k', 'v');
      await store.set(injection, injection, injection);
      await store.set('g', "' OR '1'='1", 'v');
      assert.is(await store.get(injection, injection), injection);
      assert.is(await store.get('safe', 'k'), 'v');
      assert.is(await store.has('g', "' OR 1=1 --"), false);
      await rejects(() => store.get('g', "' OR '1'='1' --"), NotFoundError, 'NOT_FOUND');
      assert.is(await store.countAll(), 3);
    }));

  test('round-trip: 10,000-character group and key', () =>
    withStore(h, async (store) => {
      const group = `${'g'.repeat(5_000) + '群'.repeat(4_998)}\u0000%`;
      const key = `${'k'.repeat(9_999)}é`;
      assert.is(group.length, 10_000);
      assert.is(key.length, 10_000);
      await store.set(group, key, 'v');
      assert.is(await store.get(group, key), 'v');
      assert.equal(await store.groups(), [group]);
      assert.equal(Object.keys(await store.getAll(group)), [key]);
      // A shorter prefix of the same key is a different key.
      assert.is(await store.has(group, key.slice(0, 9_999)), false);
    }));

  test('round-trip: a 1 MB value', async () => {
    if (!h.slow) return;
    await withStore(h, async (store) => {
      const ascii = 'abcdefghijklmnop'.repeat(65_536);
      assert.is(ascii.length, 1 << 20);
      let mixed = '';
      for (let i = 0; mixed.length < 1 << 20; i++) mixed += `${i}\u0000é😀日\n`;
      await store.set('big', 'ascii', ascii);
      await store.set('big', 'mixed', mixed);
      assert.ok((await store.get('big', 'ascii')) === ascii, 'the 1 MB ASCII value must round-trip exactly');
      assert.ok((await store.get('big', 'mixed')) === mixed, 'the 1 MB mixed value must round-trip exactly');
      const all = await store.getAll('big');
      assert.ok(all.mixed === mixed);
    });
  });

  test('set: a group, key and value that are all empty strings is a valid entry', () =>
    withStore(h, async (store) => {
      await store.set('', '', '');
      assert.is(await store.get('', ''), '');
      assert.is(await store.has('', ''), true);
      assert.is(await store.count(''), 1);
      assert.equal(await store.groups(), ['']);
      assert.is(await store.countAll(), 1);
    }));

  for (const [label, bad] of ILL_FORMED) {
    test(`set: ${label} in group, key or value rejects with InvalidArgumentError and changes nothing`, () =>
      withStore(h, async (store) => {
        await store.set('g', 'k', 'original');
        const events = record(store);
        await rejects(() => store.set(bad, 'k', 'v'), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad group)');
        await rejects(() => store.set('g', bad, 'v'), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad key)');
        await rejects(() => store.set('g', 'k', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad value)');
        await rejects(() => store.setWithTTL('g', 'k', bad, 1_000), InvalidArgumentError, 'INVALID_ARGUMENT');
        await rejects(() => store.setWithTTL(bad, 'k', 'v', 1_000), InvalidArgumentError, 'INVALID_ARGUMENT');
        await rejects(() => store.setMany('g', [['k', bad]]), InvalidArgumentError, 'INVALID_ARGUMENT');
        await rejects(() => store.setMany('g', [[bad, 'v']]), InvalidArgumentError, 'INVALID_ARGUMENT');
        assert.is(await store.get('g', 'k'), 'original');
        assert.is(await store.countAll(), 1);
        assert.equal(await store.groups(), ['g']);
        assert.equal(events, []);
      }));

    test(`reads: ${label} as group or key rejects with InvalidArgumentError`, () =>
      withStore(h, async (store) => {
        await store.set('g', 'k', 'v');
        await rejects(() => store.get(bad, 'k'), InvalidArgumentError, 'INVALID_ARGUMENT', 'get(bad group)');
        await rejects(() => store.get('g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'get(bad key)');
        await rejects(() => store.has('g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'has(bad key)');
        await rejects(() => store.delete('g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'delete(bad key)');
        await rejects(() => store.deleteGroup(bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'deleteGroup');
        await rejects(() => store.getAll(bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'getAll');
        await rejects(() => store.count(bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'count');
        assert.is(await store.get('g', 'k'), 'v');
      }));
  }

  test('a well-formed surrogate pair is accepted where a lone surrogate is not', () =>
    withStore(h, async (store) => {
      await store.set('\uD83D\uDE00', '\uD83D\uDE00', '\uD83D\uDE00');
      assert.is(await store.get('😀', '😀'), '😀');
    }));

  for (const [label, bad] of NON_STRINGS) {
    test(`set: ${label} as group, key or value rejects with InvalidArgumentError and changes nothing`, () =>
      withStore(h, async (store) => {
        await store.set('g', 'k', 'original');
        const events = record(store);
        const loose = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
        const call =
          (method: string, ...args: unknown[]) =>
          () =>
            (loose[method] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
        await rejects(call('set', bad, 'k', 'v'), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad group)');
        await rejects(call('set', 'g', bad, 'v'), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad key)');
        await rejects(call('set', 'g', 'k', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'set(bad value)');
        await rejects(
          call('setWithTTL', 'g', 'k', bad, 1_000),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          'setWithTTL(bad value)',
        );
        await rejects(
          call('setWithTTL', bad, 'k', 'v', 1_000),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          'setWithTTL(bad group)',
        );
        await rejects(
          call('setMany', 'g', [['k2', bad]]),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          'setMany(bad value)',
        );
        await rejects(call('get', bad, 'k'), InvalidArgumentError, 'INVALID_ARGUMENT', 'get(bad group)');
        await rejects(call('get', 'g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'get(bad key)');
        await rejects(call('has', 'g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'has(bad key)');
        await rejects(call('delete', 'g', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'delete(bad key)');
        await rejects(call('delete', bad, 'k'), InvalidArgumentError, 'INVALID_ARGUMENT', 'delete(bad group)');
        await rejects(call('deleteGroup', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'deleteGroup');
        await rejects(call('getAll', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'getAll');
        await rejects(call('count', bad), InvalidArgumentError, 'INVALID_ARGUMENT', 'count');
        assert.is(await store.get('g', 'k'), 'original');
        assert.is(await store.countAll(), 1);
        assert.equal(await store.groups(), ['g']);
        assert.equal(events, []);
      }));
  }

  test('order: groups() is in code-point order, not UTF-16 order (U+FF5A before U+1F600)', () =>
    withStore(h, async (store) => {
      await store.set('\u{1F600}', 'k', 'v');
      await store.set('\uFF5A', 'k', 'v');
      assert.equal(await store.groups(), ['\uFF5A', '\u{1F600}']);
    }));

  test('order: groups() sorts by code point across ASCII, controls, BMP and astral characters', () =>
    withStore(h, async (store) => {
      const names = [
        'b',
        'a',
        'B',
        'A',
        '',
        'a\u0000',
        'a\u0001',
        'aa',
        '\u007F',
        '\u0080',
        '\u00e9',
        'e\u0301',
        '\uE000',
        '\u{10000}',
        '\uFFFD',
        '\u{10FFFF}',
        '\uD7FF',
      ];
      for (const name of names) await store.set(name, 'k', 'v');
      assert.equal(await store.groups(), [
        '',
        'A',
        'B',
        'a',
        'a\u0000',
        'a\u0001',
        'aa',
        'b',
        'e\u0301',
        '\u007F',
        '\u0080',
        '\u00e9',
        '\uD7FF',
        '\uE000',
        '\uFFFD',
        '\u{10000}',
        '\u{10FFFF}',
      ]);
      assert.equal(await collect(store.groupsSeq()), await store.groups());
    }));

  test('order: getPage returns keys in code-point order (U+E000 and U+FF5A before U+1F600)', () =>
    withStore(h, async (store) => {
      for (const key of ['\u{1F600}', '\uFF5A', '\uE000', 'z', '\u{10000}']) await store.set('g', key, key);
      const page = await store.getPage('g', { limit: 10 });
      assert.equal(
        page.map((p) => p.key),
        ['z', '\uE000', '\uFF5A', '\u{10000}', '\u{1F600}'],
      );
    }));

  test.run();
}
