/**
 * docs/api.md, "Methods": `count`, `countAll(prefix)` and `groups(prefix)`. Prefixes are literal and
 * case-sensitive: `%`, `_` and every other character match only themselves.
 */
import { InvalidArgumentError, type Store } from '@go-store/core';
import * as assert from 'uvu/assert';
import { collect } from './event-shapes.js';
import { defineSuite, type Harness, rejects, withStore } from './support.js';
import { byCodePoint } from './values.js';

/** Groups chosen so that LIKE, GLOB, case folding or a sloppy range would match too much. */
const GROUPS = [
  'user_1',
  'user_',
  'userX',
  'user1',
  'USER_1',
  'User_1',
  'user%a',
  'user%',
  'userA%',
  'users',
  'user',
  'use',
  'user*',
  'user?',
  'user[a]',
  'usera',
  'user\\_1',
  'user_\u0000',
  'user_\u{10FFFF}',
  'user`',
  'other',
  '',
];

async function fill(store: Store): Promise<void> {
  // Two keys per group, so counts of keys and of groups differ.
  for (const group of GROUPS) {
    await store.set(group, 'a', '1');
    await store.set(group, 'b', '2');
  }
}

/** What a literal, case-sensitive prefix match selects. */
function expected(prefix: string): string[] {
  return GROUPS.filter((g) => g.startsWith(prefix)).sort(byCodePoint);
}

export function countsSuite(h: Harness): void {
  const test = defineSuite(h, 'counts and prefixes');

  test('countAll(): every live key of every group; the empty prefix is the same', () =>
    withStore(h, async (store) => {
      assert.is(await store.countAll(), 0);
      await fill(store);
      assert.is(await store.countAll(), GROUPS.length * 2);
      assert.is(await store.countAll(''), GROUPS.length * 2);
    }));

  test('groups(): every group with live keys, each once, in code-point order; the empty prefix is the same', () =>
    withStore(h, async (store) => {
      assert.equal(await store.groups(), []);
      await fill(store);
      assert.equal(await store.groups(), [...GROUPS].sort(byCodePoint));
      assert.equal(await store.groups(''), [...GROUPS].sort(byCodePoint));
    }));

  const prefixes: Array<[string, string]> = [
    ["'user_' never matches 'USER_1' nor 'userX' (_ is literal, case matters)", 'user_'],
    ["'user%' matches only groups starting with a literal %", 'user%'],
    ["'USER' matches only upper-case groups", 'USER'],
    ["'User' matches only 'User_1'", 'User'],
    ["'user' matches the group 'user' itself and its extensions", 'user'],
    ["'user*' and 'user?' are literal, not GLOB wildcards", 'user*'],
    ["'user?' is literal", 'user?'],
    ["'user[' is literal, not a GLOB character class", 'user['],
    ['a backslash is literal, not an escape', 'user\\'],
    ['a NUL character is a real character of the prefix', 'user_\u0000'],
    ['the highest code point as the last character of the prefix', 'user_\u{10FFFF}'],
    ['a prefix longer than every group matches nothing', 'user_1_and_more'],
    ['a prefix matching no group', 'nope'],
  ];

  for (const [label, prefix] of prefixes) {
    test(`countAll/groups: ${label}`, () =>
      withStore(h, async (store) => {
        await fill(store);
        const want = expected(prefix);
        assert.equal(await store.groups(prefix), want, `groups(${JSON.stringify(prefix)})`);
        assert.is(await store.countAll(prefix), want.length * 2, `countAll(${JSON.stringify(prefix)})`);
        assert.equal(await collect(store.groupsSeq(prefix)), want, `groupsSeq(${JSON.stringify(prefix)})`);
      }));
  }

  test("countAll/groups: 'user_' selects exactly 'user_', 'user_1', 'user_\\0' and 'user_\\u{10FFFF}'", () =>
    withStore(h, async (store) => {
      await fill(store);
      assert.equal(await store.groups('user_'), ['user_', 'user_\u0000', 'user_1', 'user_\u{10FFFF}']);
      assert.is(await store.countAll('user_'), 8);
    }));

  test('countAll/groups: a prefix ending in the highest code point matches across the carry', () =>
    withStore(h, async (store) => {
      for (const g of [
        'a\u{10FFFF}',
        'a\u{10FFFF}\u{10FFFF}',
        'a\u{10FFFF}x',
        'b',
        'a\u{10FFFE}',
        '\u{10FFFF}',
        '\u{10FFFF}\u{10FFFF}',
      ]) {
        await store.set(g, 'k', 'v');
      }
      assert.equal(await store.groups('a\u{10FFFF}'), ['a\u{10FFFF}', 'a\u{10FFFF}x', 'a\u{10FFFF}\u{10FFFF}']);
      assert.is(await store.countAll('a\u{10FFFF}'), 3);
      assert.equal(await store.groups('\u{10FFFF}'), ['\u{10FFFF}', '\u{10FFFF}\u{10FFFF}']);
      assert.is(await store.countAll('\u{10FFFF}'), 2);
    }));

  test('countAll/groups: prefixes compare code points, so U+FF5A does not select U+1F600 nor the reverse', () =>
    withStore(h, async (store) => {
      await store.set('\uFF5A-a', 'k', 'v');
      await store.set('\u{1F600}-a', 'k', 'v');
      await store.set('\uFFFF', 'k', 'v');
      assert.equal(await store.groups('\uFF5A'), ['\uFF5A-a']);
      assert.equal(await store.groups('\u{1F600}'), ['\u{1F600}-a']);
      assert.is(await store.countAll('\uFFFF'), 1);
      assert.equal(await store.groups(), ['\uFF5A-a', '\uFFFF', '\u{1F600}-a']);
    }));

  test('countAll/groups: non-ASCII case is literal too (é does not match É)', () =>
    withStore(h, async (store) => {
      await store.set('été', 'k', 'v');
      await store.set('Été', 'k', 'v');
      await store.set('ete', 'k', 'v');
      assert.equal(await store.groups('é'), ['été']);
      assert.equal(await store.groups('É'), ['Été']);
      assert.is(await store.countAll('e'), 1);
    }));

  test('count: counts keys of exactly that group, never of groups it prefixes', () =>
    withStore(h, async (store) => {
      await fill(store);
      assert.is(await store.count('user'), 2);
      assert.is(await store.count('user_'), 2);
      assert.is(await store.count('nope'), 0);
    }));

  test('countAll/groups: a non-string prefix rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      const loose = store as unknown as {
        countAll(p: unknown): Promise<number>;
        groups(p: unknown): Promise<string[]>;
      };
      for (const bad of [1, null, {}, ['a']]) {
        await rejects(() => loose.countAll(bad), InvalidArgumentError, 'INVALID_ARGUMENT', `countAll(${String(bad)})`);
        await rejects(() => loose.groups(bad), InvalidArgumentError, 'INVALID_ARGUMENT', `groups(${String(bad)})`);
      }
    }));

  test.run();
}
