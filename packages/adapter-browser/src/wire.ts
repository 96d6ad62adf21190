/**
 * How batches of calls and answers are laid out in a message, between the page and its
 * database worker and between contexts on the database's channel.
 *
 * Copying a message to another thread or tab (the structured clone) costs per object and per
 * character: a batch of 1,000 reads as objects, each with its SQL text and property names,
 * costs several times the reads themselves, and so do 1,000 answers each with its row as an
 * array. So a batch is one flat array with no array inside it: each distinct string that calls
 * repeat (an SQL text, a session id) travels once per batch, at the end, and is referred to by
 * its index; reads, the calls that come by the thousand, are laid out field by field; and a
 * row, or a list of rows of one width (a statement's result, the event log), is laid out value
 * by value. Anything rarer travels as the object it is. Nothing carries over from one batch to
 * the next, so a batch lost with a leader that went away leaves nothing to resynchronise.
 *
 * Layout: `[...records, ...strings, strings.length]`.
 */
import type { SqlValue } from '@go-store/core';

/** A batch on the wire: its records, then the strings they refer to, then how many strings. */
export type Wire = readonly unknown[];

// The first field of each call record.
const READ_GET = 0;
const READ_ALL = 1;
const AS_IS = 2;

// The third field of each answer record: how its payload is laid out.
const FAILED = 0;
const VALUE = 1;
/** An array, value by value: its length, then its elements. */
const ROW = 2;
/** An array of arrays of one width: how many, the width, then every element of each in turn. */
const ROWS = 3;

/** The strings of one batch being laid out, each once. */
export class Strings {
  readonly list: string[] = [];
  #index: Map<string, number> | undefined;

  /** The index of `text`, added if new. */
  ref(text: string): number {
    // Most batches carry one or two strings: a scan is cheaper than a map until they are many.
    const list = this.list;
    if (this.#index === undefined) {
      for (let i = 0; i < list.length; i++) if (list[i] === text) return i;
      list.push(text);
      if (list.length > 8) this.#index = new Map(list.map((s, i) => [s, i]));
      return list.length - 1;
    }
    let at = this.#index.get(text);
    if (at === undefined) {
      at = list.length;
      list.push(text);
      this.#index.set(text, at);
    }
    return at;
  }
}

/** The strings a batch refers to, as it is read back. */
export class StringTable {
  readonly #wire: Wire;
  readonly #start: number;

  constructor(wire: Wire) {
    this.#wire = wire;
    this.#start = wire.length - 1 - (wire[wire.length - 1] as number);
  }

  /** Where the records end. */
  get end(): number {
    return this.#start;
  }

  /** The string at `at`, or undefined for {@link NONE}. */
  at(at: number): string | undefined {
    return at === NONE ? undefined : (this.#wire[this.#start + at] as string);
  }
}

/** A field left out. */
export const NONE = -1;

/** A read, the call that comes by the thousand. */
export interface ReadCall {
  readonly op: 'get' | 'all';
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** Three numbers that say who made a read and which it is (ids, or indexes into the strings). */
export type ReadHead = readonly [number, number, number];

/** How one kind of call is taken apart and put back together. */
export interface CallCodec<C> {
  /** The read in `call`, if it is one that goes field by field. */
  read(call: C): ReadCall | undefined;
  head(call: C, strings: Strings): ReadHead;
  build(
    a: number,
    b: number,
    c: number,
    strings: StringTable,
    op: ReadCall['op'],
    sql: string,
    params: readonly SqlValue[],
  ): C;
}

/** Ends a batch: its strings, then how many. */
function finish(out: unknown[], strings: Strings): Wire {
  for (const text of strings.list) out.push(text);
  out.push(strings.list.length);
  return out;
}

/** Lays out a batch of calls: reads field by field, anything else as is. */
export function encodeCalls<C>(codec: CallCodec<C>, calls: readonly C[]): Wire {
  const strings = new Strings();
  const out: unknown[] = [];
  for (const call of calls) {
    const read = codec.read(call);
    if (read === undefined) {
      out.push(AS_IS, call);
      continue;
    }
    const [a, b, c] = codec.head(call, strings);
    const params = read.params;
    out.push(read.op === 'get' ? READ_GET : READ_ALL, a, b, c, strings.ref(read.sql), params.length);
    for (let i = 0; i < params.length; i++) out.push(params[i]);
  }
  return finish(out, strings);
}

/** Reads a batch of calls back, calling `each` with every one, in order. */
export function decodeCalls<C>(codec: CallCodec<C>, wire: Wire, each: (call: C) => void): void {
  const strings = new StringTable(wire);
  const end = strings.end;
  let at = 0;
  while (at < end) {
    const kind = wire[at] as number;
    if (kind === AS_IS) {
      each(wire[at + 1] as C);
      at += 2;
      continue;
    }
    const count = wire[at + 5] as number;
    const params = wire.slice(at + 6, at + 6 + count) as SqlValue[];
    each(
      codec.build(
        wire[at + 1] as number,
        wire[at + 2] as number,
        wire[at + 3] as number,
        strings,
        kind === READ_GET ? 'get' : 'all',
        strings.at(wire[at + 4] as number) as string,
        params,
      ),
    );
    at += 6 + count;
  }
}

/** Whether `value` is a non-empty array of arrays of one width (so it goes as {@link ROWS}). */
function rowsWidth(value: readonly unknown[]): number {
  const first = value[0];
  if (!Array.isArray(first)) return -1;
  const width = first.length;
  for (let i = 1; i < value.length; i++) {
    const row = value[i];
    if (!Array.isArray(row) || row.length !== width) return -1;
  }
  return width;
}

/**
 * Lays out a batch of answers. Call {@link Answers.add} with each `[to, n, ok, payload]`: `to`
 * a session id (shared across the batch) or a number, `payload` the value or the error.
 */
export class Answers {
  readonly #strings = new Strings();
  readonly #out: unknown[] = [];

  /** Whether no answer has been added. */
  get empty(): boolean {
    return this.#out.length === 0;
  }

  add(to: string | number, n: number, ok: boolean, payload: unknown): void {
    const out = this.#out;
    out.push(typeof to === 'string' ? this.#strings.ref(to) : -2 - to, n);
    if (!ok || !Array.isArray(payload)) {
      out.push(ok ? VALUE : FAILED, payload);
      return;
    }
    const width = rowsWidth(payload);
    if (width < 0) {
      out.push(ROW, payload.length);
      for (let i = 0; i < payload.length; i++) out.push(payload[i]);
      return;
    }
    out.push(ROWS, payload.length, width);
    for (const row of payload as readonly (readonly unknown[])[]) {
      for (let i = 0; i < width; i++) out.push(row[i]);
    }
  }

  /** The batch, to send; the layout is not to be added to afterwards. */
  wire(): Wire {
    return finish(this.#out, this.#strings);
  }
}

/** Reads a batch of answers back, calling `each` with every one, in order. */
export function decodeAnswers(
  wire: Wire,
  each: (to: string | number, n: number, ok: boolean, payload: unknown) => void,
): void {
  const strings = new StringTable(wire);
  const end = strings.end;
  let at = 0;
  while (at < end) {
    const ref = wire[at] as number;
    const to = ref >= 0 ? (strings.at(ref) as string) : -2 - ref;
    const n = wire[at + 1] as number;
    const layout = wire[at + 2] as number;
    if (layout === VALUE || layout === FAILED) {
      each(to, n, layout === VALUE, wire[at + 3]);
      at += 4;
    } else if (layout === ROW) {
      const length = wire[at + 3] as number;
      each(to, n, true, wire.slice(at + 4, at + 4 + length));
      at += 4 + length;
    } else {
      const count = wire[at + 3] as number;
      const width = wire[at + 4] as number;
      const rows = new Array<unknown[]>(count);
      let from = at + 5;
      for (let i = 0; i < count; i++, from += width) rows[i] = wire.slice(from, from + width);
      each(to, n, true, rows);
      at = from;
    }
  }
}
