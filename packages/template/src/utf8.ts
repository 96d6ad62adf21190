/**
 * Go strings are byte sequences, and `text/template` is defined in terms of them: `len "é"` is 2,
 * `index "é" 0` is 195, `slice` cuts bytes, `%x` hex-encodes bytes, and map keys sort by byte.
 * To match Go byte for byte, the engine works on "byte strings": JavaScript strings whose every
 * code unit is one byte (0–255) of the UTF-8 encoding. This module converts in and out and
 * decodes runes exactly as Go's `unicode/utf8` does.
 */

/** The rune Go substitutes for invalid UTF-8 (U+FFFD). */
export const RUNE_ERROR = 0xfffd;
/** The largest valid Unicode code point. */
export const MAX_RUNE = 0x10ffff;

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * Encodes a JavaScript string as a byte string (UTF-8). A lone surrogate, which has no UTF-8
 * form, becomes U+FFFD, as every UTF-8 encoder does.
 */
export function toByteString(s: string): string {
  if (ASCII_ONLY.test(s)) return s;
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = RUNE_ERROR;
    pushRune(chunk, c);
    if (chunk.length >= 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

function pushRune(out: number[], r: number): void {
  if (r < 0x80) out.push(r);
  else if (r < 0x800) out.push(0xc0 | (r >> 6), 0x80 | (r & 0x3f));
  else if (r < 0x10000) out.push(0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
  else out.push(0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f));
}

/**
 * Encodes one rune as a byte string, as Go's `utf8.EncodeRune`: an invalid rune (negative, a
 * surrogate or above U+10FFFF) is written as U+FFFD.
 */
export function encodeRune(r: number): string {
  if (r < 0 || r > MAX_RUNE || (r >= 0xd800 && r <= 0xdfff)) r = RUNE_ERROR;
  const out: number[] = [];
  pushRune(out, r);
  return String.fromCharCode(...out);
}

/**
 * Decodes a byte string back to a JavaScript string. Each byte that is not part of valid UTF-8
 * becomes one U+FFFD, the same substitution Go makes when it converts such bytes to runes (and
 * that `encoding/json` makes), so output stays comparable with Go's.
 */
export function fromByteString(b: string): string {
  if (ASCII_ONLY.test(b)) return b;
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < b.length; ) {
    const c = b.charCodeAt(i);
    if (c < 0x80) {
      chunk.push(c);
      i++;
    } else {
      const [r, size] = decodeRune(b, i);
      if (r >= 0x10000) chunk.push(0xd800 + ((r - 0x10000) >> 10), 0xdc00 + ((r - 0x10000) & 0x3ff));
      else chunk.push(r);
      i += size;
    }
    if (chunk.length >= 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk = [];
    }
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

/**
 * Decodes the rune starting at byte `i`, returning `[rune, width]`. Invalid or truncated input
 * gives `[0xFFFD, 1]`, exactly like Go's `utf8.DecodeRuneInString` (surrogates and overlong forms
 * are invalid). At or past `end` (default: the whole string) it returns `[0xFFFD, 0]`.
 */
export function decodeRune(s: string, i: number, end: number = s.length): [number, number] {
  const n = end - i;
  if (n <= 0) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(i);
  if (b0 < 0x80) return [b0, 1];
  let size: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) size = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    size = 3;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    size = 4;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return [RUNE_ERROR, 1];
  if (n < size) {
    // Go still reports width 1 for a truncated sequence.
    return [RUNE_ERROR, 1];
  }
  const b1 = s.charCodeAt(i + 1);
  if (b1 < lo || b1 > hi) return [RUNE_ERROR, 1];
  if (size === 2) return [((b0 & 0x1f) << 6) | (b1 & 0x3f), 2];
  const b2 = s.charCodeAt(i + 2);
  if (b2 < 0x80 || b2 > 0xbf) return [RUNE_ERROR, 1];
  if (size === 3) return [((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), 3];
  const b3 = s.charCodeAt(i + 3);
  if (b3 < 0x80 || b3 > 0xbf) return [RUNE_ERROR, 1];
  return [((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f), 4];
}

/**
 * Decodes the last rune ending before byte `end`, as Go's `utf8.DecodeLastRuneInString`.
 * Returns `[rune, width]`; `[0xFFFD, 0]` when `end` is 0.
 */
export function decodeLastRune(s: string, end: number): [number, number] {
  if (end <= 0) return [RUNE_ERROR, 0];
  let start = end - 1;
  if (s.charCodeAt(start) < 0x80) return [s.charCodeAt(start), 1];
  const lim = Math.max(end - 4, 0);
  for (start--; start >= lim; start--) {
    if ((s.charCodeAt(start) & 0xc0) !== 0x80) break;
  }
  if (start < 0) start = 0;
  const [r, size] = decodeRune(s, start, end);
  if (start + size !== end) return [RUNE_ERROR, 1];
  return [r, size];
}

/** Counts runes in a byte string as Go's `utf8.RuneCountInString` (each invalid byte counts one). */
export function runeCount(s: string): number {
  if (ASCII_ONLY.test(s)) return s.length;
  let count = 0;
  for (let i = 0; i < s.length; count++) {
    const c = s.charCodeAt(i);
    i += c < 0x80 ? 1 : decodeRune(s, i)[1];
  }
  return count;
}

/** Reports whether a byte string is valid UTF-8. */
export function validUtf8(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    const [r, size] = decodeRune(s, i);
    if (r === RUNE_ERROR && size === 1) return false;
    i += size;
  }
  return true;
}
