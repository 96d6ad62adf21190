/**
 * Go's `fmt.Sprint`, `fmt.Sprintln` and `fmt.Sprintf` over template values: a port of
 * `fmt/print.go` and `fmt/format.go` limited to the types a template over a `map[string]string`
 * can produce (string, int, float64, complex128, bool, uint8, the map, nil). Everything works on
 * byte strings, so widths count runes and `%x` encodes bytes exactly as Go does, and mistakes
 * render inline (`%!d(string=x)`, `%!(EXTRA …)`, `%!s(MISSING)`) rather than failing.
 *
 * It stays whole, over 500 lines, because it is the whole of Go's fmt verbs and flags, one thing:
 * split, it would be harder to check line by line against the Go source it ports.
 */
import { formatFloat } from './ftoa.js';
import { canBackquote, quote, quoteRune, quoteToASCII } from './quote.js';
import { isPrint } from './unicode.js';
import { decodeRune, encodeRune, MAX_RUNE, RUNE_ERROR, runeCount } from './utf8.js';
import { GoComplex, type GoMap, GoUint8, typeName, type Value } from './values.js';

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';
const TWO_64 = 1n << 64n;

/** Go's `fmt` refuses widths, precisions and argument indexes above a million. */
function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

/** Go's `fmt.parsenum`: `[num, isnum, newi]`. */
function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39; i++) {
    if (tooLarge(num)) return [0, false, end]; // Overflow; crazy long number most likely.
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    isnum = true;
  }
  return [num, isnum, i];
}

/** Formats `U+0041` (and `U+0041 'A'` when `sharp` and printable), as Go's `%U` / `%#U`. */
export function formatUnicode(r: number, sharp: boolean): string {
  let s = `U+${r.toString(16).toUpperCase().padStart(4, '0')}`;
  if (sharp && r >= 0 && r <= MAX_RUNE && isPrint(r)) s += ` '${encodeRune(r)}'`;
  return s;
}

/** The printer state of one `Sprint`/`Sprintf` call (Go's `pp` plus its `fmt`). */
class Printer {
  buf = '';
  // Flags, cleared before each verb.
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  wid = 0;
  prec = 0;
  /** The operand being formatted, for `%!verb(type=value)`. */
  cur: Value = undefined;
  reordered = false;
  goodArgNum = true;

  clearflags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = false;
    this.sharp = this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero ? '0' : ' ').repeat(n);
  }

  /** Pads to the width, counting runes. */
  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  fmtBoolean(v: boolean): void {
    this.pad(v ? 'true' : 'false');
  }

  fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let s = `U+${u.toString(16).toUpperCase().padStart(prec, '0')}`;
    if (this.sharp && u <= BigInt(MAX_RUNE) && isPrint(Number(u))) s += ` '${encodeRune(Number(u))}'`;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  /** Go's `fmt.fmtInteger`; `v` is the signed value (or the unsigned one when `!isSigned`). */
  fmtInteger(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      // Precision 0 and value 0 means "print nothing" but the padding.
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--; // leave room for the sign
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = `0b${s}`;
      else if (base === 8) {
        if (s[0] !== '0') s = `0${s}`;
      } else if (base === 16) s = `0${digits[16]}${s}`;
    }
    if (verb === 'O') s = `0o${s}`;
    if (negative) s = `-${s}`;
    else if (this.plus) s = `+${s}`;
    else if (this.space) s = ` ${s}`;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  truncateString(s: string): string {
    if (this.precPresent) {
      let n = this.prec;
      for (let i = 0; i < s.length; ) {
        n--;
        if (n < 0) return s.slice(0, i);
        const c = s.charCodeAt(i);
        i += c < 0x80 ? 1 : decodeRune(s, i)[1];
      }
    }
    return s;
  }

  fmtS(s: string): void {
    this.pad(this.truncateString(s));
  }

  fmtSx(s: string, digits: string): void {
    let length = s.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      // The string to encode is empty: only the padding.
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += `0${digits[16]}`;
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += `0${digits[16]}`;
      }
      const c = s.charCodeAt(i);
      out += digits[c >> 4] + digits[c & 0xf];
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncateString(s);
    if (this.sharp && canBackquote(s)) {
      this.pad(`\`${s}\``);
      return;
    }
    this.pad(this.plus ? quoteToASCII(s) : quote(s));
  }

  fmtC(c: bigint): void {
    const r = c > BigInt(MAX_RUNE) ? RUNE_ERROR : Number(c);
    this.pad(encodeRune(r));
  }

  fmtQc(c: bigint): void {
    const r = c > BigInt(MAX_RUNE) ? RUNE_ERROR : Number(c);
    this.pad(quoteRune(r, this.plus));
  }

  /** Go's `fmt.fmtFloat`: sign handling, `#`, and zero padding after the sign. */
  fmtFloatVerb(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === '-' || num[0] === '+') {
      // keep the sign
    } else num = `+${num}`;
    if (this.space && num[0] === '+' && !this.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      // Remove the sign before NaN unless a sign was asked for.
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        // If no precision is set explicitly use a precision of 6.
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const ch = num[i];
        if (ch === '.') hasDecimalPoint = true;
        else if (ch === 'p' || ch === 'P') {
          tail += num.slice(i);
          num = num.slice(0, i);
        } else if ((ch === 'e' || ch === 'E') && verb !== 'x' && verb !== 'X') {
          tail += num.slice(i);
          num = num.slice(0, i);
        } else {
          if (ch !== '0') sawNonzeroDigit = true;
          // Count significant digits after the first non-zero digit.
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        // Leading digit 0 should contribute once to digits.
        if (num.length === 2 && num[1] === '0') digits--;
        num += '.';
      }
      while (digits > 0) {
        num += '0';
        digits--;
      }
      num += tail;
    }
    if (this.plus || num[0] !== '+') {
      // With zero padding, the sign goes before the zeros.
      if (this.zero && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  badVerb(verb: string): void {
    this.buf += `%!${verb}(`;
    const v = this.cur;
    if (v === undefined) this.buf += '<nil>';
    else {
      this.buf += `${typeName(v)}=`;
      this.printArg(v, 'v');
    }
    this.buf += ')';
  }

  fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.fmtBoolean(v);
    else this.badVerb(verb);
  }

  fmtIntegerVerb(v: bigint, isSigned: boolean, verb: string): void {
    const u64 = v < 0n ? v + TWO_64 : v;
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) {
          const sharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(v, 16, 'v', LDIGITS);
          this.sharp = sharp;
        } else this.fmtInteger(v, 10, verb, LDIGITS);
        return;
      case 'd':
        return this.fmtInteger(v, 10, verb, LDIGITS);
      case 'b':
        return this.fmtInteger(v, 2, verb, LDIGITS);
      case 'o':
      case 'O':
        return this.fmtInteger(v, 8, verb, LDIGITS);
      case 'x':
        return this.fmtInteger(v, 16, verb, LDIGITS);
      case 'X':
        return this.fmtInteger(v, 16, verb, UDIGITS);
      case 'c':
        return this.fmtC(u64);
      case 'q':
        return this.fmtQc(u64);
      case 'U':
        return this.fmtUnicode(u64);
    }
    this.badVerb(verb);
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        return this.fmtFloatVerb(v, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloatVerb(v, verb, -1);
      case 'f':
      case 'e':
      case 'E':
        return this.fmtFloatVerb(v, verb, 6);
      case 'F':
        return this.fmtFloatVerb(v, 'f', 6);
    }
    this.badVerb(verb);
  }

  fmtComplex(v: GoComplex, verb: string): void {
    if ('vbgGxXfFeE'.includes(verb) && verb.length === 1) {
      const oldPlus = this.plus;
      this.buf += '(';
      this.fmtFloat(v.re, verb);
      // The imaginary part always has a sign.
      this.plus = true;
      this.fmtFloat(v.im, verb);
      this.buf += 'i)';
      this.plus = oldPlus;
      return;
    }
    this.badVerb(verb);
  }

  fmtString(v: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(v);
        else this.fmtS(v);
        return;
      case 's':
        return this.fmtS(v);
      case 'x':
        return this.fmtSx(v, LDIGITS);
      case 'X':
        return this.fmtSx(v, UDIGITS);
      case 'q':
        return this.fmtQ(v);
    }
    this.badVerb(verb);
  }

  printArg(arg: Value, verb: string): void {
    this.cur = arg;
    if (arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === 'p') {
      // Go prints the map's address here; there is no address to print, so it is reported as
      // a bad verb, like every other type.
      this.badVerb(verb);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  printValue(v: Value, verb: string, depth: number): void {
    this.cur = v;
    switch (typeof v) {
      case 'string':
        return this.fmtString(v, verb);
      case 'bigint':
        return this.fmtIntegerVerb(v, true, verb);
      case 'number':
        return this.fmtFloat(v, verb);
      case 'boolean':
        return this.fmtBool(v, verb);
      case 'undefined':
        // Only reachable inside a container, where Go prints <nil> for %v.
        if (verb === 'v') this.buf += '<nil>';
        else this.badVerb(verb);
        return;
    }
    if (v instanceof GoUint8) return this.fmtIntegerVerb(BigInt(v.v), false, verb);
    if (v instanceof GoComplex) return this.fmtComplex(v, verb);
    this.printMap(v, verb, depth);
  }

  printMap(m: GoMap, verb: string, depth: number): void {
    this.buf += this.sharpV ? 'map[string]string{' : 'map[';
    let first = true;
    for (const key of m.sortedKeys()) {
      if (!first) this.buf += this.sharpV ? ', ' : ' ';
      first = false;
      this.printValue(key, verb, depth + 1);
      this.buf += ':';
      this.printValue(m.entries.get(key), verb, depth + 1);
    }
    this.buf += this.sharpV ? '}' : ']';
  }

  /** Go's `intFromArg`, for `*` widths and precisions. */
  intFromArg(a: readonly Value[], argNum: number): [number, boolean, number] {
    let num = 0;
    let isInt = false;
    let newArgNum = argNum;
    if (argNum < a.length) {
      const v = a[argNum];
      if (typeof v === 'bigint') {
        if (v >= -(1n << 63n) && v < 1n << 63n) {
          num = Number(v);
          isInt = true;
        }
      } else if (v instanceof GoUint8) {
        num = v.v;
        isInt = true;
      }
      newArgNum = argNum + 1;
      if (tooLarge(num)) {
        num = 0;
        isInt = false;
      }
    }
    return [num, isInt, newArgNum];
  }

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: readonly Value[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop: for (let i = 0; i < end; ) {
      this.goodArgNum = true;
      const lasti = i;
      const pct = format.indexOf('%', i);
      i = pct < 0 ? end : pct;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++; // Skip the %.
      this.clearflags();
      simpleFormat: for (; i < end; i++) {
        const c = format[i];
        switch (c) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = !this.minus; // Only allow zero padding to the left.
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            this.zero = false; // Do not pad with zeros to the right.
            break;
          case ' ':
            this.space = true;
            break;
          default:
            // Fast path for the common case of an ASCII lower case verb without precision or
            // width or argument indices.
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') {
                this.sharpV = this.sharp;
                this.sharp = false;
                this.plusV = this.plus;
                this.plus = false;
              }
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }
      // Do we have an explicit argument index?
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = this.intFromArg(a, argNum);
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        // A negative width means '-' and a positive width.
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false; // "%[3]2d"
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false; // "%[3].2d"
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = this.intFromArg(a, argNum);
          // A negative precision is treated as if it were absent.
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.buf += '%!(NOVERB)';
        break;
      }
      let verb = format[i];
      let size = 1;
      if (format.charCodeAt(i) >= 0x80) {
        const [r, w] = decodeRune(format, i);
        verb = encodeRune(r);
        size = w;
      }
      i += size;
      if (verb === '%') {
        this.buf += '%'; // Percent does not absorb operands and ignores width and precision.
      } else if (!this.goodArgNum) {
        this.buf += `%!${verb}(BADINDEX)`;
      } else if (argNum >= a.length) {
        this.buf += `%!${verb}(MISSING)`;
      } else {
        if (verb === 'v') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    // Check for extra arguments unless the call accessed the arguments out of order.
    if (!this.reordered && argNum < a.length) {
      this.clearflags();
      this.buf += '%!(EXTRA ';
      for (let k = argNum; k < a.length; k++) {
        if (k > argNum) this.buf += ', ';
        const arg = a[k];
        if (arg === undefined) this.buf += '<nil>';
        else {
          this.buf += `${typeName(arg)}=`;
          this.printArg(arg, 'v');
        }
      }
      this.buf += ')';
    }
  }
}

function parseArgNumber(format: string): [number, number, boolean] {
  // There must be at least 3 bytes: [n].
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true]; // arg numbers are one-indexed and skip paren.
    }
  }
  return [0, 1, false];
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: readonly Value[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, argNum) => {
    const isString = typeof arg === 'string';
    if (argNum > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** Go's `fmt.Sprintln`: always a space between operands, and a final newline. */
export function sprintln(args: readonly Value[]): string {
  const p = new Printer();
  args.forEach((arg, argNum) => {
    if (argNum > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return `${p.buf}\n`;
}

/** Go's `fmt.Sprintf`. */
export function sprintf(format: string, args: readonly Value[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}
