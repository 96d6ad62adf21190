/**
 * docs/api.md, "Methods": `getSplit` (Go `strings.Split`) and `getFields` (Go `strings.Fields`), both
 * resolving to an iterable.
 */
import { InvalidArgumentError, NotFoundError } from '@go-store/core';
import * as assert from 'uvu/assert';
import { defineSuite, type Harness, rejects, withStore } from './support.js';

/** [value, separator, what Go's strings.Split returns] */
const SPLITS: Array<[string, string, string[]]> = [
  ['a,b,,c', ',', ['a', 'b', '', 'c']],
  ['', ',', ['']],
  ['abc', ',', ['abc']],
  [',a,', ',', ['', 'a', '']],
  [',', ',', ['', '']],
  ['a::b::c', '::', ['a', 'b', 'c']],
  ['a:::b', '::', ['a', ':b']],
  ['abc', 'abcd', ['abc']],
  ['abc', 'abc', ['', '']],
  ['a😀b😀', '😀', ['a', 'b', '']],
  ['x%y_z', '%', ['x', 'y_z']],
  ['a.b.c', '.', ['a', 'b', 'c']],
  ['a|b', '|', ['a', 'b']],
  ['a\u0000b', '\u0000', ['a', 'b']],
  // An empty separator splits after each code point (UTF-8 sequence in Go), not UTF-16 unit.
  ['abc', '', ['a', 'b', 'c']],
  ['a😀b', '', ['a', '😀', 'b']],
  ['🇬🇧', '', ['\u{1F1EC}', '\u{1F1E7}']],
  ['e\u0301', '', ['e', '\u0301']],
  ['日本', '', ['日', '本']],
  ['', '', []],
];

/** [value, what Go's strings.Fields returns] */
const FIELDS: Array<[string, string[]]> = [
  ['  a  b\tc\n', ['a', 'b', 'c']],
  ['', []],
  [' \t\n\v\f\r ', []],
  ['one', ['one']],
  ['a\tb\nc\vd\fe\rf g', ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
  // Go's unicode.IsSpace: NEL, NBSP, ogham, the U+2000 block, line and paragraph separators…
  ['a\u0085b', ['a', 'b']],
  ['a\u00A0b', ['a', 'b']],
  ['a\u1680b', ['a', 'b']],
  ['a\u2000b\u2005c\u200Ad', ['a', 'b', 'c', 'd']],
  ['a\u2028b\u2029c', ['a', 'b', 'c']],
  ['a\u202Fb\u205Fc', ['a', 'b', 'c']],
  ['α β\u3000γ', ['α', 'β', 'γ']],
  ['\u3000\u0085lead and trail\u00A0\u2003', ['lead', 'and', 'trail']],
  // …and not the byte-order mark (which JavaScript's \s includes), zero-width space,
  // the Mongolian vowel separator, or the ASCII information separators.
  ['a\uFEFFb', ['a\uFEFFb']],
  [' \uFEFF ', ['\uFEFF']],
  ['a\u200Bb', ['a\u200Bb']],
  ['a\u180Eb', ['a\u180Eb']],
  ['a\u001Cb\u001Fc', ['a\u001Cb\u001Fc']],
  ['😀 😀', ['😀', '😀']],
];

export function splitSuite(h: Harness): void {
  const test = defineSuite(h, 'getSplit and getFields');

  for (const [value, sep, want] of SPLITS) {
    test(`getSplit: ${JSON.stringify(value)} by ${JSON.stringify(sep)} gives ${JSON.stringify(want)}`, () =>
      withStore(h, async (store) => {
        await store.set('g', 'k', value);
        const parts = await store.getSplit('g', 'k', sep);
        assert.type(parts[Symbol.iterator], 'function', 'getSplit resolves to an iterable');
        assert.equal([...parts], want);
      }));
  }

  for (const [value, want] of FIELDS) {
    test(`getFields: ${JSON.stringify(value)} gives ${JSON.stringify(want)}`, () =>
      withStore(h, async (store) => {
        await store.set('g', 'k', value);
        const fields = await store.getFields('g', 'k');
        assert.type(fields[Symbol.iterator], 'function', 'getFields resolves to an iterable');
        assert.equal([...fields], want);
      }));
  }

  test('getSplit and getFields: a missing key rejects with NotFoundError naming the group and key', () =>
    withStore(h, async (store) => {
      const split = await rejects(() => store.getSplit('config', 'list', ','), NotFoundError, 'NOT_FOUND');
      assert.ok(split.message.includes('config/list'), split.message);
      const fields = await rejects(() => store.getFields('config', 'list'), NotFoundError, 'NOT_FOUND');
      assert.ok(fields.message.includes('config/list'), fields.message);
    }));

  test('getSplit: a non-string separator rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      await store.set('g', 'k', 'a,b');
      const loose = store as unknown as { getSplit(g: string, k: string, s: unknown): Promise<Iterable<string>> };
      for (const bad of [1, null, undefined, /,/]) {
        await rejects(
          () => loose.getSplit('g', 'k', bad),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
          `getSplit(sep = ${String(bad)})`,
        );
      }
    }));

  test('getSplit and getFields: a non-string group or key rejects with InvalidArgumentError', () =>
    withStore(h, async (store) => {
      const loose = store as unknown as {
        getSplit(g: unknown, k: unknown, s: string): Promise<Iterable<string>>;
        getFields(g: unknown, k: unknown): Promise<Iterable<string>>;
      };
      await rejects(() => loose.getSplit(1, 'k', ','), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => loose.getSplit('g', null, ','), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => loose.getFields(undefined, 'k'), InvalidArgumentError, 'INVALID_ARGUMENT');
      await rejects(() => loose.getFields('g', {}), InvalidArgumentError, 'INVALID_ARGUMENT');
    }));

  test.run();
}
