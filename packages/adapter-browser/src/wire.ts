/**
 * How batches of calls and answers are laid out in a message, between the page and its
 * database worker and between contexts on the database's channel.
 *
 * Copying a message to another thread or tab (the structured clone) costs per object and per
 * character: a batch of 1,000 reads as objects, each with its SQL text and property names,
 * costs several times the reads themselves. So a batch is one flat array, each distinct
 * string that calls repeat (an SQL text, a session id) travels once per batch and is referred
 * to by its index, and reads, the calls that come by the thousand, are laid out field by field.
 * Anything rarer travels as the object it is. Nothing carries over from one batch to the next,
 * so a batch lost with a leader that went away leaves nothing to resynchronise.
 */
import type { SqlValue } from '@go-store/core';

/** A batch on the wire: the strings it refers to, then its records, flat. */
export type Wire = readonly unknown[];

// The first field of each record.
const READ_GET = 0;
const READ_ALL = 1;
const AS_IS = 2;

/** The strings of one batch, each once: encoders add them, decoders look them up. */
export class Strings {
  readonly list: string[];
  readonly #index = new Map<string, number>();

  constructor(list: string[] = []) {
    this.list = list;
  }

  /** The index of `text`, added if new. */
  ref(text: string): number {
    let at = this.#index.get(text);
    if (at === undefined) {
      at = this.list.length;
      this.list.push(text);
      this.#index.set(text, at);
    }
    return at;
  }

  /** The string at `at`, or undefined for {@link NONE}. */
  at(at: number): string | undefined {
    return at === NONE ? undefined : this.list[at];
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
  build(head: ReadHead, strings: Strings, read: ReadCall): C;
}

/** Lays out a batch of calls: reads field by field, anything else as is. */
export function encodeCalls<C>(codec: CallCodec<C>, calls: readonly C[]): Wire {
  const strings = new Strings();
  const out: unknown[] = [strings.list];
  for (const call of calls) {
    const read = codec.read(call);
    if (read === undefined) {
      out.push(AS_IS, call);
      continue;
    }
    const [a, b, c] = codec.head(call, strings);
    out.push(read.op === 'get' ? READ_GET : READ_ALL, a, b, c, strings.ref(read.sql), read.params.length);
    for (const param of read.params) out.push(param);
  }
  return out;
}

/** Reads a batch of calls back. */
export function decodeCalls<C>(codec: CallCodec<C>, wire: Wire): C[] {
  const strings = new Strings(wire[0] as string[]);
  const calls: C[] = [];
  let at = 1;
  while (at < wire.length) {
    const kind = wire[at] as number;
    if (kind === AS_IS) {
      calls.push(wire[at + 1] as C);
      at += 2;
      continue;
    }
    const head: ReadHead = [wire[at + 1] as number, wire[at + 2] as number, wire[at + 3] as number];
    const sql = strings.at(wire[at + 4] as number) as string;
    const count = wire[at + 5] as number;
    const params = wire.slice(at + 6, at + 6 + count) as SqlValue[];
    at += 6 + count;
    calls.push(codec.build(head, strings, { op: kind === READ_GET ? 'get' : 'all', sql, params }));
  }
  return calls;
}

/**
 * Lays out a batch of answers, each `[to, n, ok, payload]`: `to` a session id (shared across
 * the batch) or a number, `payload` the value or the error.
 */
export function encodeAnswers(answers: Iterable<readonly [string | number, number, boolean, unknown]>): Wire {
  const strings = new Strings();
  const out: unknown[] = [strings.list];
  for (const [to, n, ok, payload] of answers) {
    out.push(typeof to === 'string' ? strings.ref(to) : -2 - to, n, ok ? 1 : 0, payload);
  }
  return out;
}

/** Reads a batch of answers back, calling `each` with every one, in order. */
export function decodeAnswers(
  wire: Wire,
  each: (to: string | number, n: number, ok: boolean, payload: unknown) => void,
): void {
  const strings = wire[0] as readonly string[];
  for (let at = 1; at + 3 < wire.length; at += 4) {
    const to = wire[at] as number;
    each(to >= 0 ? (strings[to] as string) : -2 - to, wire[at + 1] as number, wire[at + 2] === 1, wire[at + 3]);
  }
}
