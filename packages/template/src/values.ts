/**
 * The run-time values a template over a `map[string]string` can produce, mirroring the Go types
 * involved. Plain JavaScript values stand for the common ones:
 *
 * | Go                  | here                                  |
 * |---------------------|---------------------------------------|
 * | `string`            | a byte string (see `utf8.ts`)         |
 * | `int` (64-bit)      | `bigint`                              |
 * | `float64`           | `number`                              |
 * | `bool`              | `boolean`                             |
 * | `uint8` (a byte)    | {@link GoUint8} (from `index` of a string) |
 * | `complex128`        | {@link GoComplex} (from `1+2i` literals) |
 * | `map[string]string` | {@link GoMap} (the data)              |
 * | no value / `nil`    | `undefined`                           |
 */

/** A Go `uint8`, as produced by indexing a string. */
export class GoUint8 {
  constructor(readonly v: number) {}
}

/** A Go `complex128`. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** The template's data: a Go `map[string]string` with byte-string keys and values. */
export class GoMap {
  readonly entries: ReadonlyMap<string, string>;
  #sorted: readonly string[] | undefined;

  constructor(entries: ReadonlyMap<string, string>) {
    this.entries = entries;
  }

  /**
   * Keys in Go's order: byte order of the UTF-8 encoding, which is Unicode code point order.
   * Byte strings hold one byte per code unit, so the default comparison is exactly that.
   */
  sortedKeys(): readonly string[] {
    this.#sorted ??= [...this.entries.keys()].sort();
    return this.#sorted;
  }
}

/** Any value a template expression can evaluate to; `undefined` is Go's invalid/nil value. */
export type Value = string | bigint | number | boolean | GoUint8 | GoComplex | GoMap | undefined;

/** Go's type name for a value, as `%T` and error messages print it. */
export function typeName(v: Value): string {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'undefined':
      return '<nil>';
  }
  if (v instanceof GoUint8) return 'uint8';
  if (v instanceof GoComplex) return 'complex128';
  return 'map[string]string';
}

/** Go's template truth: the value is not the zero value of its type. */
export function isTrue(v: Value): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
    case 'boolean':
      return v;
    case 'undefined':
      return false;
  }
  if (v instanceof GoUint8) return v.v !== 0;
  if (v instanceof GoComplex) return v.re !== 0 || v.im !== 0;
  return v.entries.size > 0;
}
