/**
 * The sync protocol: every message the client and the server exchange, as typed shapes, with
 * the checks that turn an untrusted body into one of them. Both ends import this module, so a
 * shape changed here is checked on both.
 *
 * Every message carries `v` (the protocol version). Requests are POSTed as JSON to wherever
 * the handler is mounted; the live channel is a GET of the same address asking for
 * `text/event-stream`.
 */
import { isSyncErrorCode, SyncError, type SyncErrorCode } from './errors.js';

/** The protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;

/**
 * One replicated key at one version. `value` null is a tombstone (the key was deleted);
 * `expiresAt` is an absolute Unix-ms expiry (null: none), so a TTL means the same everywhere.
 */
export interface Change {
  group: string;
  key: string;
  /** The hybrid-logical-clock stamp of the write (see `hlc.ts`); the highest stamp wins. */
  hlc: string;
  value: string | null;
  expiresAt: number | null;
}

/** Why the server refused a pushed change. */
export type RefusalReason = 'namespace' | 'quota' | 'clock';

/** A pushed change the server refused, and why. */
export interface Refusal {
  group: string;
  key: string;
  hlc: string;
  reason: RefusalReason;
  message: string;
}

/**
 * Where a pull got to: opaque to the client, which sends back the last one it received. It
 * names the server's database and the namespaces it covered, so a cursor from another server
 * or for other namespaces starts again from the beginning rather than skipping changes.
 */
export interface Cursor {
  server: string;
  rev: number;
  namespaces: string[];
}

/** Client → server: local changes, applied in one transaction (those allowed). */
export interface PushRequest {
  v: typeof PROTOCOL_VERSION;
  type: 'push';
  changes: Change[];
}

/**
 * Server → client: the refused changes, and for those refused by a quota or for a clock too far
 * ahead the server's own copy of the key (a tombstone stamped {@link ZERO_HLC} when it has none), which the client adopts.
 */
export interface PushResponse {
  v: typeof PROTOCOL_VERSION;
  type: 'pushed';
  refused: Refusal[];
  current: Change[];
}

/** Client → server: the changes after `cursor` in the given namespaces. */
export interface PullRequest {
  v: typeof PROTOCOL_VERSION;
  type: 'pull';
  namespaces: string[];
  cursor: Cursor | null;
  limit: number;
}

/**
 * Server → client: changes in server order, never cutting one of the server's transactions in
 * two; `more` when the client should pull again. `namespaces` are those served (requested and
 * authorised).
 */
export interface PullResponse {
  v: typeof PROTOCOL_VERSION;
  type: 'pulled';
  changes: Change[];
  cursor: Cursor;
  more: boolean;
  namespaces: string[];
}

/** Server → client, with a 4xx or 5xx status: why the request failed. Nothing was applied. */
export interface ErrorResponse {
  v: typeof PROTOCOL_VERSION;
  type: 'error';
  code: SyncErrorCode;
  message: string;
}

export type SyncRequest = PushRequest | PullRequest;

/** The lowest stamp: what a key the server has never seen is stamped with. */
export const ZERO_HLC = '000000000000000.0000000000.0';

const HLC_PATTERN = /^\d{15}\.\d{10}\.[0-9a-z]{1,32}$/;
const NAMESPACE_PATTERN = /^[a-zA-Z0-9-]+$/;
/** The most changes one pull returns (a server transaction larger than this still comes whole). */
export const MAX_PULL_LIMIT = 5000;

/** Whether `name` is a valid namespace (the same rule as `store.scope`). */
export function isNamespace(name: unknown): name is string {
  return typeof name === 'string' && NAMESPACE_PATTERN.test(name);
}

/** The namespace a group belongs to (`ns` of `ns:rest`), or undefined for a group without one. */
export function namespaceOf(group: string): string | undefined {
  const colon = group.indexOf(':');
  return colon > 0 ? group.slice(0, colon) : undefined;
}

/** Checks an untrusted request body; throws a {@link SyncError} `BAD_REQUEST` naming the fault. */
export function parseRequest(body: unknown): SyncRequest {
  const message = record(body, 'request');
  if (message.v !== PROTOCOL_VERSION) {
    throw new SyncError('UNSUPPORTED_VERSION', `sync: protocol version ${String(message.v)} is not supported`);
  }
  if (message.type === 'push') {
    return { v: PROTOCOL_VERSION, type: 'push', changes: list(message.changes, 'changes').map(parseChange) };
  }
  if (message.type === 'pull') {
    const limit = message.limit;
    if (!Number.isSafeInteger(limit) || (limit as number) < 1) bad('limit must be a positive integer');
    return {
      v: PROTOCOL_VERSION,
      type: 'pull',
      namespaces: parseNamespaces(message.namespaces),
      cursor: message.cursor === null ? null : parseCursor(message.cursor),
      limit: Math.min(limit as number, MAX_PULL_LIMIT),
    };
  }
  return bad(`unknown message type ${JSON.stringify(message.type)}`);
}

/** Checks a push response from the server. */
export function parsePushResponse(body: unknown): PushResponse {
  const message = response(body, 'pushed');
  return {
    v: PROTOCOL_VERSION,
    type: 'pushed',
    refused: list(message.refused, 'refused').map(parseRefusal),
    current: list(message.current, 'current').map(parseChange),
  };
}

/** Checks a pull response from the server. */
export function parsePullResponse(body: unknown): PullResponse {
  const message = response(body, 'pulled');
  if (typeof message.more !== 'boolean') bad('more must be a boolean');
  return {
    v: PROTOCOL_VERSION,
    type: 'pulled',
    changes: list(message.changes, 'changes').map(parseChange),
    cursor: parseCursor(message.cursor),
    more: message.more as boolean,
    namespaces: parseNamespaces(message.namespaces),
  };
}

/** Rebuilds the server's error as the same {@link SyncError} on the client. */
export function errorFromResponse(status: number, body: unknown): SyncError {
  if (typeof body === 'object' && body !== null) {
    const message = body as Record<string, unknown>;
    if (message.type === 'error' && typeof message.code === 'string' && isSyncErrorCode(message.code)) {
      return new SyncError(message.code, String(message.message), status);
    }
  }
  return new SyncError('HTTP', `sync: the server answered ${status}`, status);
}

function response(body: unknown, type: string): Record<string, unknown> {
  const message = record(body, 'response');
  if (message.v !== PROTOCOL_VERSION || message.type !== type) {
    bad(`expected a version ${PROTOCOL_VERSION} ${type} message`);
  }
  return message;
}

function parseChange(value: unknown): Change {
  const change = record(value, 'change');
  const group = text(change.group, 'group');
  const key = text(change.key, 'key');
  const hlc = change.hlc;
  if (typeof hlc !== 'string' || !HLC_PATTERN.test(hlc)) bad(`change ${group}/${key}: malformed clock stamp`);
  const content = change.value === null ? null : text(change.value, 'value');
  const expiresAt = change.expiresAt;
  if (expiresAt !== null && !Number.isSafeInteger(expiresAt)) bad(`change ${group}/${key}: bad expiresAt`);
  return { group, key, hlc: hlc as string, value: content, expiresAt: expiresAt as number | null };
}

function parseRefusal(value: unknown): Refusal {
  const refusal = record(value, 'refusal');
  const reason = refusal.reason;
  if (reason !== 'namespace' && reason !== 'quota' && reason !== 'clock') bad('unknown refusal reason');
  return {
    group: text(refusal.group, 'group'),
    key: text(refusal.key, 'key'),
    hlc: text(refusal.hlc, 'hlc'),
    reason: reason as RefusalReason,
    message: text(refusal.message, 'message'),
  };
}

function parseCursor(value: unknown): Cursor {
  const cursor = record(value, 'cursor');
  if (!Number.isSafeInteger(cursor.rev) || (cursor.rev as number) < 0) bad('cursor: bad rev');
  return {
    server: text(cursor.server, 'server'),
    rev: cursor.rev as number,
    namespaces: parseNamespaces(cursor.namespaces),
  };
}

function parseNamespaces(value: unknown): string[] {
  const names = list(value, 'namespaces');
  for (const name of names) if (!isNamespace(name)) bad(`bad namespace ${JSON.stringify(name)}`);
  return [...new Set(names as string[])].sort();
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) bad(`${what} must be an array`);
  return value as unknown[];
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || !value.isWellFormed()) bad(`${what} must be a well-formed string`);
  return value as string;
}

function bad(message: string): never {
  throw new SyncError('BAD_REQUEST', `sync: ${message}`);
}
