/**
 * Literal prefix matching as a range over SQLite's BINARY order.
 *
 * `LIKE` and `GLOB` treat `%`, `_`, `*` and `?` as wildcards and `LIKE` ignores ASCII case, so
 * prefixes are matched instead as `lower <= grp < upper`, which is literal, case-sensitive and
 * served by the primary-key index. BINARY order on UTF-8 is code-point order, so every string
 * starting with `p` lies between `p` and `p` with its last code point incremented.
 */

/** The exclusive upper bound of the strings that start with `prefix`, or `null` if there is none. */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0) as number);
  while (points.length > 0) {
    let last = (points.pop() as number) + 1;
    // Surrogate code points cannot occur in well-formed strings; the next real one is U+E000.
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
    // U+10FFFF has no successor: carry into the previous code point.
  }
  return null;
}
