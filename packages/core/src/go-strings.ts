/**
 * Go's `strings.Split` and `strings.Fields`, which `getSplit` and `getFields` follow.
 */

/** Go's `strings.Split`: an empty separator splits after each code point (not UTF-16 unit). */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return Array.from(s);
  return s.split(sep);
}

/**
 * Go's `unicode.IsSpace`, which differs from JavaScript's `\s`: Go counts U+0085 (NEL) and not
 * U+FEFF (BOM).
 */
const GO_SPACE_RUN = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Go's `strings.Fields`: the substrings between runs of white space, never empty ones. */
export function goFields(s: string): string[] {
  return s.split(GO_SPACE_RUN).filter((field) => field !== '');
}
