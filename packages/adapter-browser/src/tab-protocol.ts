/**
 * The messages between the contexts (tabs, iframes, workers) of one origin that share a
 * database: every context's stores send their driver calls to the leader, the one context that
 * has the database open, and the leader answers and announces the events it committed.
 *
 * They travel on a `BroadcastChannel` named after the database ({@link channelName}); each
 * message says whom it is for, and the others ignore it. Calls are batched: all the calls a
 * context makes in one turn of its event loop go in one message, and so do the answers.
 *
 * Version 4 (batches laid out flat, rows value by value, see wire.ts; a page's reads on a port
 * of their own, see membership.ts). A message of another version is ignored, so
 * tabs running two releases of the package side by side do not misread each other (they do not
 * share the database either).
 */
import type { SqlValue } from '@go-store/core';
import type { BrowserVfs } from './open-database.js';
import type { SerialisedError } from './protocol.js';
import { type CallCodec, NONE, type ReadCall, type Wire } from './wire.js';

/** The version of these messages. */
export const TAB_PROTOCOL = 4;

/**
 * The Web Lock the leader holds while it owns the database; every context with the database
 * open waits for it, so when the leader goes away the browser hands it to the next one.
 */
export function leaderLockName(vfs: BrowserVfs, name: string): string {
  return `go-store:${vfs}:${name}`;
}

/**
 * The Web Lock each context holds while it has the database open: the leader waits on it to
 * learn that a context went away in the middle of a transaction.
 */
export function memberLockName(member: string): string {
  return `go-store:member:${member}`;
}

/** The BroadcastChannel of a database. */
export function channelName(vfs: BrowserVfs, name: string): string {
  return `go-store:${vfs}:${name}`;
}

/**
 * A committed event as it is logged and sent: sequence number, type, group, key, value, and the
 * writer's clock in Unix milliseconds.
 */
export type EventRecord = readonly [
  seq: number,
  type: 'set' | 'delete' | 'delete_group',
  group: string,
  key: string,
  value: string,
  at: number,
];

/** An event before the leader numbers it. */
export type NewEvent = readonly [type: EventRecord[1], group: string, key: string, value: string, at: number];

/**
 * A call from one store (a session, `s`) to the leader; `n` numbers the session's calls. `g`
 * names the transaction ("group") a call belongs to: the leader refuses a call of a group it
 * does not hold open (one begun on a leader that has since gone away). Outside a group, `run`
 * carries `call`, the id under which the leader records the write (exactly once); `settle` asks
 * a new leader whether the group recorded under `call` committed; `log` reads the logged events
 * after `since`.
 */
export type TabRequest = { readonly s: string; readonly n: number; readonly g?: string } & (
  | { readonly op: 'open' }
  | { readonly op: 'get' | 'all'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly op: 'run'; readonly sql: string; readonly params: readonly SqlValue[]; readonly call?: string }
  | { readonly op: 'exec'; readonly sql: string }
  | { readonly op: 'begin' | 'rollback' | 'close' }
  | { readonly op: 'commit'; readonly call: string; readonly events: readonly NewEvent[] }
  | { readonly op: 'settle'; readonly call: string }
  | { readonly op: 'log'; readonly since: number }
);

/** How calls are laid out in a `req` batch: reads field by field, the session id once a batch. */
export const tabRequestCodec: CallCodec<TabRequest> = {
  read: (request) => (request.op === 'get' || request.op === 'all' ? (request as ReadCall) : undefined),
  head: (request, strings) => [
    strings.ref(request.s),
    request.n,
    request.g === undefined ? NONE : strings.ref(request.g),
  ],
  build: (s, n, g, strings, op, sql, params) => {
    const session = strings.at(s) as string;
    return g === NONE ? { op, sql, params, s: session, n } : { op, sql, params, s: session, n, g: strings.at(g) };
  },
};

/** The leader's answer to one request. */
export type TabResponse =
  | { readonly s: string; readonly n: number; readonly ok: true; readonly value: unknown }
  | { readonly s: string; readonly n: number; readonly ok: false; readonly error: SerialisedError };

/** What `open` answers: the sequence number of the last logged event. */
export interface OpenAnswer {
  readonly head: number;
}

/** What `commit` and `settle` answer: whether it committed, and its last event's sequence number. */
export interface CommitAnswer {
  readonly committed: boolean;
  readonly seq: number;
}

/**
 * A message on the database's channel:
 * - `hello`: a context joined; the leader, if there is one, announces itself;
 * - `leader`: `id` leads from now on;
 * - `req` and `res`: calls for the leader and its answers, for one member, each a batch laid
 *   out as wire.ts describes ({@link tabRequestCodec}; answers as `[s, n, ok, value or error]`);
 * - `ev`: events just committed, for everyone, sent before the answers to the calls that wrote them;
 * - `port`: (on a follower's own port, see port-broker.ts) the leader `from` reads this port:
 *   the follower may send its calls there instead of on the channel. The leader then sends that
 *   follower its answers and the events there too.
 */
export type TabMessage = { readonly v: typeof TAB_PROTOCOL } & (
  | { readonly t: 'hello' }
  | { readonly t: 'leader'; readonly id: string }
  | { readonly t: 'req'; readonly to: string; readonly from: string; readonly batch: Wire }
  | { readonly t: 'res'; readonly to: string; readonly from: string; readonly batch: Wire }
  | { readonly t: 'ev'; readonly from: string; readonly events: readonly EventRecord[] }
  | { readonly t: 'port'; readonly from: string }
);
