/** Comparing what the store returns: Go's string order, plain records, seeded randomness. */

/** Sorts strings by Unicode code point (Go's and SQLite's BINARY order), not UTF-16 unit. */
export function byCodePoint(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

/** An own-property copy of a (null-prototype) record, for deep comparison with a literal. */
export function plain(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record))
    Object.defineProperty(out, key, { value: record[key], enumerable: true, writable: true, configurable: true });
  return out;
}

/** Sorted `Object.entries` of a record, for order-free comparison. */
export function entriesOf(record: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.keys(record)
    .sort(byCodePoint)
    .map((key) => [key, record[key] as string]);
}

/** A small deterministic pseudo-random generator (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
