/**
 * Go's `strconv` quoting and unquoting on byte strings: `Quote`, `QuoteToASCII`, `QuoteRune`,
 * `CanBackquote`, `Unquote` and `UnquoteChar`. Used for string literals in templates, for `%q`,
 * and for the quoted text in error messages.
 */
import { isPrint } from './unicode.js';
import { decodeRune, encodeRune, MAX_RUNE, RUNE_ERROR, validUtf8 } from './utf8.js';

const LOWER_HEX = '0123456789abcdef';

function validRune(r: number): boolean {
  return (r >= 0 && r < 0xd800) || (r > 0xdfff && r <= MAX_RUNE);
}

function escapedRune(r: number, quoteChar: number, asciiOnly: boolean): string {
  if (r === quoteChar || r === 0x5c) return `\\${String.fromCharCode(r)}`;
  if (asciiOnly) {
    if (r < 0x80 && isPrint(r)) return String.fromCharCode(r);
  } else if (isPrint(r)) return encodeRune(r);
  switch (r) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return `\\x${LOWER_HEX[(r >> 4) & 0xf]}${LOWER_HEX[r & 0xf]}`;
  if (!validRune(r)) r = RUNE_ERROR;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

function quoteWith(s: string, quoteChar: number, asciiOnly: boolean): string {
  const q = String.fromCharCode(quoteChar);
  let out = q;
  for (let i = 0; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      out += escapedRune(c, quoteChar, asciiOnly);
      i++;
      continue;
    }
    const [r, width] = decodeRune(s, i);
    if (width === 1 && r === RUNE_ERROR) {
      out += `\\x${LOWER_HEX[c >> 4]}${LOWER_HEX[c & 0xf]}`;
      i++;
      continue;
    }
    out += escapedRune(r, quoteChar, asciiOnly);
    i += width;
  }
  return out + q;
}

/** Go's `strconv.Quote`: a double-quoted Go literal, non-printable runes escaped. */
export function quote(s: string): string {
  return quoteWith(s, 0x22, false);
}

/** Go's `strconv.QuoteToASCII`: like {@link quote} but escapes every non-ASCII rune. */
export function quoteToASCII(s: string): string {
  return quoteWith(s, 0x22, true);
}

/** Go's `strconv.QuoteRune` (or `QuoteRuneToASCII` when `asciiOnly`). */
export function quoteRune(r: number, asciiOnly: boolean): string {
  if (!validRune(r)) r = RUNE_ERROR;
  return `'${escapedRune(r, 0x27, asciiOnly)}'`;
}

/** Go's `strconv.CanBackquote`: whether `s` can be written as a raw string literal. */
export function canBackquote(s: string): boolean {
  for (let i = 0; i < s.length; ) {
    const [r, wid] = decodeRune(s, i);
    i += wid;
    if (wid > 1) {
      if (r === 0xfeff) return false; // BOMs are invisible and should not be quoted.
      continue;
    }
    if (r === RUNE_ERROR) return false;
    if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Result of {@link unquoteChar}; `null` means Go's `ErrSyntax`. */
interface UnquotedChar {
  readonly value: number;
  readonly multibyte: boolean;
  /** Byte offset just after the decoded character. */
  readonly next: number;
}

/** Go's `strconv.UnquoteChar`, reading `s` from byte offset `i`. */
export function unquoteChar(s: string, i: number, quoteChar: number): UnquotedChar | null {
  if (i >= s.length) return null;
  const c = s.charCodeAt(i);
  if (c === quoteChar && (quoteChar === 0x27 || quoteChar === 0x22)) return null;
  if (c >= 0x80) {
    const [r, size] = decodeRune(s, i);
    return { value: r, multibyte: true, next: i + size };
  }
  if (c !== 0x5c) return { value: c, multibyte: false, next: i + 1 };
  if (i + 1 >= s.length) return null;
  const e = s.charCodeAt(i + 1);
  let j = i + 2;
  let value: number;
  let multibyte = false;
  switch (e) {
    case 0x61:
      value = 0x07;
      break;
    case 0x62:
      value = 0x08;
      break;
    case 0x66:
      value = 0x0c;
      break;
    case 0x6e:
      value = 0x0a;
      break;
    case 0x72:
      value = 0x0d;
      break;
    case 0x74:
      value = 0x09;
      break;
    case 0x76:
      value = 0x0b;
      break;
    case 0x78: // x
    case 0x75: // u
    case 0x55: {
      // U
      const n = e === 0x78 ? 2 : e === 0x75 ? 4 : 8;
      if (s.length - j < n) return null;
      let v = 0;
      for (let k = 0; k < n; k++) {
        const x = unhex(s.charCodeAt(j + k));
        if (x < 0) return null;
        v = v * 16 + x;
      }
      j += n;
      if (e !== 0x78) {
        if (!validRune(v)) return null;
        multibyte = true;
      }
      value = v;
      break;
    }
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37: {
      let v = e - 0x30;
      if (s.length - j < 2) return null;
      for (let k = 0; k < 2; k++) {
        const x = s.charCodeAt(j + k) - 0x30;
        if (x < 0 || x > 7) return null;
        v = (v << 3) | x;
      }
      j += 2;
      if (v > 255) return null;
      value = v;
      break;
    }
    case 0x5c:
      value = 0x5c;
      break;
    case 0x27:
    case 0x22:
      if (e !== quoteChar) return null;
      value = e;
      break;
    default:
      return null;
  }
  return { value, multibyte, next: j };
}

/** Go's `strconv.Unquote` for a complete literal; `null` means `ErrSyntax` ("invalid syntax"). */
export function unquote(s: string): string | null {
  if (s.length < 2) return null;
  const q = s.charCodeAt(0);
  if (q === 0x60) {
    if (s.charCodeAt(s.length - 1) !== 0x60 || s.indexOf('`', 1) !== s.length - 1) return null;
    // Carriage returns are discarded from raw strings, as in Go source.
    return s.slice(1, -1).replaceAll('\r', '');
  }
  if (q !== 0x22 && q !== 0x27) return null;
  const end = s.indexOf(String.fromCharCode(q), 1);
  if (end < 0) return null;
  const body = s.slice(1, end);
  if (end === s.length - 1 && !body.includes('\\') && !body.includes('\n')) {
    if (q === 0x22 && validUtf8(body)) return body;
    if (q === 0x27) {
      const [r, n] = decodeRune(body, 0);
      if (n === body.length && n > 0 && !(r === RUNE_ERROR && n === 1)) return body;
    }
  }
  let out = '';
  let i = 1;
  while (i < s.length && s.charCodeAt(i) !== q) {
    if (s.charCodeAt(i) === 0x0a) return null;
    const u = unquoteChar(s, i, q);
    if (u === null) return null;
    i = u.next;
    out += u.value < 0x80 || !u.multibyte ? String.fromCharCode(u.value & 0xff) : encodeRune(u.value);
    if (q === 0x27) break;
  }
  if (!(i < s.length && s.charCodeAt(i) === q)) return null;
  if (i + 1 !== s.length) return null;
  return out;
}
