/**
 * The escapers behind the `html`, `js` and `urlquery` builtins, byte for byte as Go's
 * `template.HTMLEscapeString`, `template.JSEscapeString` and `url.QueryEscape` (Go 1.19), on
 * byte strings.
 */
import { isPrint } from './unicode.js';
import { decodeRune } from './utf8.js';

const UPPER_HEX = '0123456789ABCDEF';

/** Go's `template.HTMLEscapeString`: `"` `'` `&` `<` `>` become entities, NUL becomes U+FFFD. */
export function htmlEscape(s: string): string {
  return s.replace(/["'&<>\0]/g, (c) => {
    switch (c) {
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
    }
    return '\xef\xbf\xbd'; // U+FFFD in UTF-8
  });
}

/**
 * Go's `template.JSEscapeString`: backslash-escapes `\ ' "`, writes `< > & =` and control
 * characters as `\uXXXX`, keeps printable non-ASCII runes and escapes the others as `\uXXXX`.
 */
export function jsEscape(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const special =
      c < 0x20 ||
      c >= 0x80 ||
      c === 0x5c ||
      c === 0x27 ||
      c === 0x22 ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x26 ||
      c === 0x3d;
    if (!special) continue;
    out += s.slice(last, i);
    if (c < 0x80) {
      switch (c) {
        case 0x5c:
          out += '\\\\';
          break;
        case 0x27:
          out += "\\'";
          break;
        case 0x22:
          out += '\\"';
          break;
        case 0x3c:
          out += '\\u003C';
          break;
        case 0x3e:
          out += '\\u003E';
          break;
        case 0x26:
          out += '\\u0026';
          break;
        case 0x3d:
          out += '\\u003D';
          break;
        default:
          out += `\\u00${UPPER_HEX[c >> 4]}${UPPER_HEX[c & 0xf]}`;
      }
    } else {
      const [r, size] = decodeRune(s, i);
      if (isPrint(r)) out += s.slice(i, i + size);
      else out += `\\u${r.toString(16).toUpperCase().padStart(4, '0')}`;
      i += size - 1;
    }
    last = i + 1;
  }
  return out + s.slice(last);
}

/**
 * Go's `url.QueryEscape`: everything but ASCII letters, digits and `-_.~` is `%XX`-encoded
 * (upper-case hex, per byte), and a space becomes `+`.
 */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2d ||
      c === 0x5f ||
      c === 0x2e ||
      c === 0x7e
    ) {
      out += s[i];
    } else if (c === 0x20) out += '+';
    else out += `%${UPPER_HEX[c >> 4]}${UPPER_HEX[c & 0xf]}`;
  }
  return out;
}
