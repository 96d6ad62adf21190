/**
 * Go's number literal rules as `text/template/parse` applies them (`newNumber`): `strconv`'s
 * `ParseUint`/`ParseInt` with base 0 (`0x`, `0o`, `0b`, a leading `0` for octal, `_` separators),
 * `ParseFloat` (decimal and hexadecimal floats), character constants and `1+2i` complex literals.
 */
import { quote, unquoteChar } from './quote.js';

const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

function lower(c: number): number {
  return c | 0x20;
}

/** Go's `strconv.underscoreOK`: underscores only between digits or after a base prefix. */
function underscoreOK(s: string): boolean {
  // saw tracks the last character (class) seen: ^ for the start, 0 for a digit, _ for an
  // underscore, ! for anything else.
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'box'.includes(String.fromCharCode(lower(s.charCodeAt(1))))) {
    i = 2;
    saw = '0'; // base prefix counts as a digit for "underscore as digit separator"
    hex = lower(s.charCodeAt(1)) === 0x78;
  }
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (hex && lower(c) >= 0x61 && lower(c) <= 0x66)) {
      saw = '0';
      continue;
    }
    if (c === 0x5f) {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** Go's `strconv.ParseUint(s, 0, 64)`; `null` on a syntax or range error. */
function parseUint(s: string): bigint | null {
  if (s.length === 0) return null;
  const s0 = s;
  let base = 10;
  if (s[0] === '0') {
    const c1 = s.length >= 3 ? lower(s.charCodeAt(1)) : 0;
    if (c1 === 0x62) {
      base = 2;
      s = s.slice(2);
    } else if (c1 === 0x6f) {
      base = 8;
      s = s.slice(2);
    } else if (c1 === 0x78) {
      base = 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  let underscores = false;
  let n = 0n;
  const b = BigInt(base);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c === 0x5f) {
      underscores = true;
      continue;
    } else if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (lower(c) >= 0x61 && lower(c) <= 0x7a) d = lower(c) - 0x61 + 10;
    else return null;
    if (d >= base) return null;
    n = n * b + BigInt(d);
    if (n >= TWO_64) return null;
  }
  if (underscores && !underscoreOK(s0)) return null;
  return n;
}

/** Go's `strconv.ParseInt(s, 0, 64)`; `null` on a syntax or range error. */
function parseInt64(s: string): bigint | null {
  if (s.length === 0) return null;
  let neg = false;
  let body = s;
  if (s[0] === '+') body = s.slice(1);
  else if (s[0] === '-') {
    neg = true;
    body = s.slice(1);
  }
  const un = parseUint(body);
  if (un === null) return null;
  if (!neg && un >= TWO_63) return null;
  if (neg && un > TWO_63) return null;
  return neg ? -un : un;
}

/** Why {@link parseFloat64} failed, as Go's `strconv.NumError` reason. */
type FloatError = 'invalid syntax' | 'value out of range';

/**
 * Go's `strconv.ParseFloat(s, 64)` for the forms a template can contain. Returns the value or
 * the error reason. Decimal strings are converted by the engine's correctly rounded parser;
 * hexadecimal ones (`0x1.8p3`) exactly with `bigint`.
 */
function parseFloat64(s: string): number | FloatError {
  // Validate the syntax as Go's readFloat does, noting where the pieces are.
  let i = 0;
  let neg = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') {
    neg = true;
    i++;
  }
  // Go also accepts "inf", "infinity" and "nan" (any case).
  const special = s.slice(i).toLowerCase();
  if (special === 'inf' || special === 'infinity') return neg ? -Infinity : Infinity;
  if (special === 'nan' && i === 0) return NaN;
  let base = 10;
  if (i + 2 < s.length && s[i] === '0' && lower(s.charCodeAt(i + 1)) === 0x78) {
    base = 16;
    i += 2;
  }
  let underscores = false;
  let sawdot = false;
  let sawdigits = false;
  let mantissa = '';
  let fracDigits = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      underscores = true;
      continue;
    }
    if (c === 0x2e) {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    if ((c >= 0x30 && c <= 0x39) || (base === 16 && lower(c) >= 0x61 && lower(c) <= 0x66)) {
      sawdigits = true;
      mantissa += s[i];
      if (sawdot) fracDigits++;
      continue;
    }
    break;
  }
  if (!sawdigits) return 'invalid syntax';
  let exp = 0;
  const expChar = base === 16 ? 0x70 : 0x65;
  if (i < s.length && lower(s.charCodeAt(i)) === expChar) {
    i++;
    if (i >= s.length) return 'invalid syntax';
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') {
      i++;
      esign = -1;
    }
    if (i >= s.length || s.charCodeAt(i) < 0x30 || s.charCodeAt(i) > 0x39) return 'invalid syntax';
    let e = 0;
    for (; i < s.length && ((s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) || s[i] === '_'); i++) {
      if (s[i] === '_') {
        underscores = true;
        continue;
      }
      if (e < 10000) e = e * 10 + (s.charCodeAt(i) - 0x30);
    }
    exp = e * esign;
  } else if (base === 16) {
    // Hexadecimal floats need a 'p' exponent.
    return 'invalid syntax';
  }
  if (i !== s.length) return 'invalid syntax';
  if (underscores && !underscoreOK(s)) return 'invalid syntax';
  let value: number;
  if (base === 10) {
    value = Number(`${neg ? '-' : ''}${mantissa}e${exp - fracDigits}`);
  } else {
    const m = BigInt(`0x${mantissa}`);
    value = m === 0n ? 0 : scaleBinary(m, exp - 4 * fracDigits);
    if (neg) value = -value;
  }
  if (!Number.isFinite(value)) return 'value out of range';
  return value;
}

/** Rounds `m * 2^e` (m > 0) to the nearest float64, halves to even, as Go's ParseFloat does. */
function scaleBinary(m: bigint, e: number): number {
  const len = m.toString(2).length;
  const top = len - 1 + e; // the binary exponent of the leading bit
  // Normal numbers keep 53 bits; subnormals keep fewer, down to the 2^-1074 unit.
  const allowed = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (allowed < 0) return 0; // below half the smallest subnormal
  const drop = len - Math.max(allowed, 0);
  if (drop > 0) {
    const rem = m & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    m >>= BigInt(drop);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m++;
    e += drop;
  }
  // m now fits in 54 bits and m * 2^e is representable (or overflows to Infinity): scaling by
  // powers of two in two exact steps avoids 2^e itself underflowing.
  let v = Number(m);
  if (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  } else if (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  return v * 2 ** e;
}

/** The classification `newNumber` makes of a literal: which Go types can hold it exactly. */
export interface NumberInfo {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complexRe: number;
  complexIm: number;
}

function fitsInt64(f: number): boolean {
  return Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
}

function fitsUint64(f: number): boolean {
  return Number.isInteger(f) && f >= 0 && f < 2 ** 64;
}

function simplifyComplex(n: NumberInfo): void {
  n.isFloat = n.complexIm === 0;
  if (n.isFloat) {
    n.float64 = n.complexRe;
    n.isInt = fitsInt64(n.float64);
    if (n.isInt) n.int64 = BigInt(n.float64);
    n.isUint = fitsUint64(n.float64);
    if (n.isUint) n.uint64 = BigInt(n.float64);
  }
}

/** Splits Go's fmt.Sscan float token off the front of `s` (sign, 0x prefix, digits, exponent). */
function floatToken(s: string, i: number): number {
  const accept = (set: string): boolean => {
    if (i < s.length && set.includes(s[i])) {
      i++;
      return true;
    }
    return false;
  };
  const start = i;
  if (accept('nN') && accept('aA') && accept('nN')) return i;
  i = start;
  accept('+-');
  const afterSign = i;
  if (accept('iI') && accept('nN') && accept('fF')) return i;
  i = afterSign;
  let digits = '0123456789_';
  let exp = 'eEpP';
  if (accept('0') && accept('xX')) {
    digits = '0123456789aAbBcCdDeEfF_';
    exp = 'pP';
  }
  while (accept(digits));
  if (accept('.')) while (accept(digits));
  if (accept(exp)) {
    accept('+-');
    while (accept('0123456789_'));
  }
  return i;
}

/** Go's fmt.Sscan conversion of one float token (which also allows a decimal mantissa with 'p'). */
function convertFloat(str: string): number | string {
  const p = str.indexOf('p');
  if (p >= 0 && !/[xX]/.test(str)) {
    const f = parseFloat64(str.slice(0, p));
    if (typeof f === 'string') return `strconv.ParseFloat: parsing ${quote(str)}: ${f}`;
    const m = parseInt64(str.slice(p + 1));
    if (m === null) return `strconv.Atoi: parsing ${quote(str)}: invalid syntax`;
    return f * 2 ** Number(m);
  }
  const f = parseFloat64(str);
  if (typeof f === 'string') return `strconv.ParseFloat: parsing ${quote(str)}: ${f}`;
  return f;
}

/**
 * Go's `newNumber`: classifies a number, character or complex literal, or returns the parse
 * error message Go reports for it.
 */
export function newNumber(text: string, kind: 'char' | 'complex' | 'number'): NumberInfo | string {
  const n: NumberInfo = {
    isInt: false,
    isUint: false,
    isFloat: false,
    isComplex: false,
    int64: 0n,
    uint64: 0n,
    float64: 0,
    complexRe: 0,
    complexIm: 0,
  };
  if (kind === 'char') {
    const u = unquoteChar(text, 1, 0x27);
    if (u === null) return 'invalid syntax';
    if (text.slice(u.next) !== "'") return `malformed character constant: ${text}`;
    n.int64 = BigInt(u.value);
    n.isInt = true;
    n.uint64 = BigInt(u.value);
    n.isUint = true;
    n.float64 = u.value; // odd but those are the rules.
    n.isFloat = true;
    return n;
  }
  if (kind === 'complex') {
    // fmt.Sscan: a real float token, a sign, an imaginary float token, then 'i'.
    const realEnd = floatToken(text, 0);
    if (realEnd >= text.length || (text[realEnd] !== '+' && text[realEnd] !== '-')) {
      return 'syntax error scanning complex number';
    }
    const imagEnd = floatToken(text, realEnd + 1);
    if (text[imagEnd] !== 'i') return 'syntax error scanning complex number';
    const re = convertFloat(text.slice(0, realEnd));
    if (typeof re === 'string') return re;
    const im = convertFloat(text[realEnd] + text.slice(realEnd + 1, imagEnd));
    if (typeof im === 'string') return im;
    n.isComplex = true;
    n.complexRe = re;
    n.complexIm = im;
    simplifyComplex(n);
    return n;
  }
  // Imaginary constants can only be complex unless they are zero.
  if (text.length > 0 && text[text.length - 1] === 'i') {
    const f = parseFloat64(text.slice(0, -1));
    if (typeof f === 'number') {
      n.isComplex = true;
      n.complexRe = 0;
      n.complexIm = f;
      simplifyComplex(n);
      return n;
    }
  }
  const u = parseUint(text);
  if (u !== null) {
    n.isUint = true;
    n.uint64 = u;
  }
  const i = parseInt64(text);
  if (i !== null) {
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true; // in case of -0.
      n.uint64 = u ?? 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseFloat64(text);
    if (typeof f === 'number') {
      // If we parsed it as a float but it looks like an integer, it's a huge number too large
      // to fit in an int. Reject it.
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${quote(text)}`;
      n.isFloat = true;
      n.float64 = f;
      // If a floating-point extraction succeeded, extract the int if needed.
      if (!n.isInt && fitsInt64(f)) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (!n.isUint && fitsUint64(f)) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return `illegal number syntax: ${quote(text)}`;
  return n;
}
