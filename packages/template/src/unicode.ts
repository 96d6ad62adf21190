/**
 * The few Unicode character classes Go's template lexer, `strconv.Quote` and the `js` escaper
 * consult, answered with the JavaScript engine's own Unicode tables (`\p{…}` regular
 * expressions on a single code point, so there is nothing to backtrack). The engine's Unicode
 * version may be newer than Go's; only code points assigned in between can differ.
 */

const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;
const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isValidCodePoint(r: number): boolean {
  return r >= 0 && r <= 0x10ffff && !(r >= 0xd800 && r <= 0xdfff);
}

/** Go's `unicode.IsLetter`. */
export function isLetter(r: number): boolean {
  if (r < 0x80) return (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return isValidCodePoint(r) && LETTER.test(String.fromCodePoint(r));
}

/** Go's `unicode.IsDigit` (decimal digits, category Nd). */
export function isDigit(r: number): boolean {
  if (r < 0x80) return r >= 0x30 && r <= 0x39;
  return isValidCodePoint(r) && DIGIT.test(String.fromCodePoint(r));
}

/**
 * Go's `unicode.IsPrint` / `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
 * the ASCII space. Other spaces (U+00A0, U+2028…) and format characters are not printable.
 */
export function isPrint(r: number): boolean {
  if (r < 0x100) return (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r <= 0xff && r !== 0xad);
  return isValidCodePoint(r) && PRINT.test(String.fromCodePoint(r));
}

const WHITE_SPACE = /^\p{White_Space}$/u;

/** Go's `unicode.IsSpace`: the Unicode White_Space property (U+0085 and U+00A0 included). */
export function isSpace(r: number): boolean {
  return isValidCodePoint(r) && WHITE_SPACE.test(String.fromCodePoint(r));
}
