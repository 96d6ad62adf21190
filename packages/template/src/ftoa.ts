/**
 * Go's `strconv.FormatFloat(v, fmt, prec, 64)` for float64: the `e E f g G b x X` formats, with
 * `prec < 0` meaning "shortest representation that round-trips". Shortest digits come from the
 * engine (`toExponential()` is specified to be shortest and closest, as Go's Ryū is); fixed
 * precision is rounded from the exact binary value with round-half-to-even, as Go does, using
 * `bigint` so no digit is ever guessed.
 */

/** A decimal digit string `d` (no leading or trailing zeros) with the decimal point at `dp`. */
interface Decimal {
  d: string;
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

function float64Bits(v: number): bigint {
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

function shortestDigits(abs: number): Decimal {
  if (abs === 0) return { d: '', dp: 0 };
  const e = abs.toExponential();
  const at = e.indexOf('e');
  const digits = e.slice(0, at).replace('.', '');
  return { d: digits.replace(/0+$/, ''), dp: Number(e.slice(at + 1)) + 1 };
}

function exactDigits(mant: bigint, exp2: number): Decimal {
  if (mant === 0n) return { d: '', dp: 0 };
  let s: string;
  let dp: number;
  if (exp2 >= 0) {
    s = (mant << BigInt(exp2)).toString();
    dp = s.length;
  } else {
    // mant * 2^exp2 == mant * 5^-exp2 / 10^-exp2: the digits of the numerator are exact.
    s = (mant * 5n ** BigInt(-exp2)).toString();
    dp = s.length + exp2;
  }
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x30) end--;
  return { d: s.slice(0, end), dp };
}

/** Go's `decimal.Round(nd)`: round to `nd` digits, halves to even (the digits are exact). */
function round(a: Decimal, nd: number): void {
  if (nd < 0 || nd >= a.d.length) return;
  const c = a.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  else up = c >= 0x35;
  if (up) {
    for (let i = nd - 1; i >= 0; i--) {
      const ch = a.d.charCodeAt(i);
      if (ch < 0x39) {
        a.d = a.d.slice(0, i) + String.fromCharCode(ch + 1);
        return;
      }
    }
    a.d = '1';
    a.dp++;
    return;
  }
  let end = nd;
  while (end > 0 && a.d.charCodeAt(end - 1) === 0x30) end--;
  a.d = a.d.slice(0, end);
  if (a.d.length === 0) a.dp = 0;
}

function fmtE(neg: boolean, d: Decimal, prec: number, fmt: string): string {
  let out = neg ? '-' : '';
  const nd = d.d.length;
  out += nd !== 0 ? d.d[0] : '0';
  if (prec > 0) {
    out += '.';
    const m = Math.min(nd, prec + 1);
    if (m > 1) out += d.d.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) out += '0';
  }
  out += fmt;
  let exp = nd === 0 ? 0 : d.dp - 1;
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  return out + (exp < 10 ? `0${exp}` : String(exp));
}

function fmtF(neg: boolean, d: Decimal, prec: number): string {
  let out = neg ? '-' : '';
  const nd = d.d.length;
  if (d.dp > 0) {
    const m = Math.min(nd, d.dp);
    out += d.d.slice(0, m) + '0'.repeat(d.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < nd ? d.d[j] : '0';
    }
  }
  return out;
}

function formatDigits(shortest: boolean, neg: boolean, d: Decimal, prec: number, fmt: string): string {
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
      return fmtF(neg, d, prec);
  }
  // 'g' / 'G': trailing fractional zeros in 'e' form will be trimmed.
  const nd = d.d.length;
  let eprec = prec;
  if (eprec > nd && nd >= d.dp) eprec = nd;
  // %e is used if the exponent is less than -4 or at least the precision; shortest uses 6.
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > d.dp) prec = nd;
  return fmtF(neg, d, Math.max(prec - d.dp, 0));
}

function fmtB(neg: boolean, mant: bigint, exp: number): string {
  const e = exp - 52;
  return `${(neg ? '-' : '') + mant.toString()}p${e >= 0 ? '+' : ''}${String(e)}`;
}

function fmtX(prec: number, fmt: string, neg: boolean, mant: bigint, exp: number): string {
  if (mant === 0n) exp = 0;
  // Shift digits so the leading 1 (if any) is at bit 1<<60.
  mant <<= 60n - 52n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = `${neg ? '-' : ''}0${fmt}${String((mant >> 60n) & 1n)}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n); // remove the leading 0 or 1 (uint64 arithmetic)
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += fmt === 'X' ? 'P' : 'p';
  if (exp < 0) {
    out += '-';
    exp = -exp;
  } else out += '+';
  return out + (exp < 10 ? `0${exp}` : String(exp));
}

/**
 * Formats a float64 as Go's `strconv.FormatFloat(v, fmt, prec, 64)`.
 *
 * @param fmt - one of `e E f g G b x X`
 * @param prec - digits (after the point for `e E f x X`, significant for `g G`); `-1` = shortest
 */
export function formatFloat(v: number, fmt: string, prec: number): string {
  const bits = float64Bits(v);
  const neg = bits >> 63n !== 0n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0x7ff) return mant !== 0n ? 'NaN' : neg ? '-Inf' : '+Inf';
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  exp -= 1023;
  if (fmt === 'b') return fmtB(neg, mant, exp);
  if (fmt === 'x' || fmt === 'X') return fmtX(prec, fmt, neg, mant, exp);
  const shortest = prec < 0;
  let d: Decimal;
  if (shortest) {
    d = shortestDigits(Math.abs(v));
    const nd = d.d.length;
    if (fmt === 'e' || fmt === 'E') prec = Math.max(nd - 1, 0);
    else if (fmt === 'f') prec = Math.max(nd - d.dp, 0);
    else prec = nd;
  } else {
    d = exactDigits(mant, exp - 52);
    if (fmt === 'e' || fmt === 'E') round(d, prec + 1);
    else if (fmt === 'f') round(d, d.dp + prec);
    else {
      if (prec === 0) prec = 1;
      round(d, prec);
    }
  }
  return formatDigits(shortest, neg, d, prec, fmt);
}
