/**
 * The server end: a Fetch-API handler that answers pushes, pulls and the live channel on
 * whatever path it is mounted at, after asking `authorize` which namespaces the request may
 * sync.
 */
import { InvalidArgumentError, type QuotaOptions, type Store, type Transaction } from '@go-store/core';
import { SyncError } from './errors.js';
import { LiveHub } from './live.js';
import {
  type Change,
  type Cursor,
  type ErrorResponse,
  namespaceOf,
  PROTOCOL_VERSION,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  parseRequest,
  type Refusal,
  type RefusalReason,
} from './protocol.js';
import { handBackToTriggers, installSchema, readMeta, runSession, writeMeta } from './replica.js';
import { WriteTimes } from './write-times.js';

/** Options of {@link createSyncHandler}. */
export interface SyncHandlerOptions {
  /**
   * Resolves to the namespaces the request may sync (read and write), or rejects to refuse it:
   * with `new SyncError('UNAUTHORIZED', …)` for 401, anything else for 403. Nothing is applied
   * for a refused request.
   */
  authorize: (request: Request) => Promise<readonly string[]> | readonly string[];
  /**
   * Quotas enforced on pushed changes, per namespace (as `store.scope` takes them): a pushed
   * change that would exceed one is refused and reported, and the client adopts the server's copy.
   */
  quotas?: (namespace: string) => QuotaOptions | undefined;
  /**
   * How far ahead of the server's clock a pushed stamp may be, in ms (default one day): a change
   * stamped further ahead is refused (reason `clock`), so one broken clock cannot win every
   * conflict for ever.
   */
  maxClockAheadMs?: number;
  /**
   * How long tombstones are kept, in ms (default 30 days). A client that has not synced for
   * longer pulls everything again (see docs/sync.md).
   */
  tombstoneHorizonMs?: number;
}

/** A Fetch-API request handler: serves a Worker's or Durable Object's `fetch` as it is. */
export type SyncHandler = ((request: Request) => Promise<Response>) & {
  /** Ends the live channels this handler holds open and stops watching the store (which stays open). */
  close(): Promise<void>;
};

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_HORIZON_MS = 30 * DAY_MS;
/** How often, at most, tombstones older than the horizon are collected. */
const COLLECT_EVERY_MS = 60 * 60 * 1000;

/**
 * Creates the sync server for `store`. Its bookkeeping tables are installed on the first
 * request.
 *
 * @example node:http
 * ```ts
 * const handler = createSyncHandler(store, { authorize: async (request) => namespacesFor(request) });
 * http.createServer(toNodeListener(handler)).listen(8787);
 * ```
 */
export function createSyncHandler(store: Store, options: SyncHandlerOptions): SyncHandler {
  if (typeof options?.authorize !== 'function') {
    throw new InvalidArgumentError('createSyncHandler: options.authorize must be a function');
  }
  const maxAhead = options.maxClockAheadMs ?? DAY_MS;
  const horizon = options.tombstoneHorizonMs ?? DEFAULT_HORIZON_MS;
  let node: Promise<string> | undefined;
  let lastCollect = Number.NEGATIVE_INFINITY;
  const live = new LiveHub();
  let unsubscribe: (() => void) | undefined;
  let unlisten: (() => void) | undefined;
  const writeTimes = new WriteTimes();
  const ready = (): Promise<string> => {
    // Listening first: a write made while the schema is installed is seen either way.
    unlisten ??= writeTimes.listen(store);
    node ??= installSchema(store).then((id) => {
      // Any committed change, from a push or from the server's own writes, wakes live clients.
      unsubscribe ??= store.onChange(() => live.notify());
      return id;
    });
    node.catch(() => {
      node = undefined;
    });
    return node;
  };

  const handle = async (request: Request): Promise<Response> => {
    try {
      let allowed: Set<string>;
      try {
        allowed = new Set(await options.authorize(request));
      } catch (error) {
        if (error instanceof SyncError && error.code === 'UNAUTHORIZED') throw error;
        throw new SyncError('FORBIDDEN', `sync: ${error instanceof Error ? error.message : 'forbidden'}`);
      }
      const id = await ready();
      if (request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/event-stream')) {
        return live.open(request.signal);
      }
      if (request.method !== 'POST')
        throw new SyncError('METHOD_NOT_ALLOWED', 'sync: POST a message, or GET text/event-stream');
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        throw new SyncError('BAD_REQUEST', 'sync: the body is not JSON');
      }
      const message = parseRequest(body);
      if (message.type === 'push') return json(200, await push(id, message, allowed));
      return json(200, await pull(id, message, allowed));
    } catch (error) {
      const failure =
        error instanceof SyncError
          ? error
          : new SyncError('INTERNAL', 'sync: the server failed', 500, { cause: error });
      const answer: ErrorResponse = {
        v: PROTOCOL_VERSION,
        type: 'error',
        code: failure.code,
        message: failure.message,
      };
      return json(failure.status, answer);
    }
  };

  const quotas = options.quotas;
  const push = async (id: string, message: PushRequest, allowed: Set<string>): Promise<PushResponse> => {
    const refused: Refusal[] = [];
    const current: Change[] = [];
    const counts = new QuotaCounts();
    await runSession(store, id, writeTimes, async (session) => {
      const limit = store.now() + maxAhead;
      const refuse = (change: Change, reason: RefusalReason, text: string): void => {
        refused.push({ group: change.group, key: change.key, hlc: change.hlc, reason, message: text });
      };
      const admissible: Change[] = [];
      const clockRefused: Change[] = [];
      for (const change of newestFirst(message.changes)) {
        const ns = namespaceOf(change.group);
        if (ns === undefined || !allowed.has(ns)) {
          refuse(change, 'namespace', `sync: ${change.group}/${change.key}: namespace not authorised`);
        } else if (Number(change.hlc.slice(0, 15)) > limit) {
          refuse(change, 'clock', `sync: ${change.group}/${change.key}: stamped too far ahead of the server's clock`);
          clockRefused.push(change);
        } else {
          admissible.push(change);
        }
      }
      const refusals = await session.apply(admissible, {
        admit: quotas === undefined ? undefined : (change, tx) => counts.admit(change, tx, quotas, store.now()),
      });
      for (const { change, message: text } of refusals) {
        refuse(change, 'quota', text);
        current.push(await session.current(change.group, change.key));
      }
      // The client adopts the server's copy in place of a change stamped too far ahead, as for a
      // quota: otherwise its copy, stamped higher than any write to come, would never converge.
      for (const change of clockRefused) current.push(await session.current(change.group, change.key));
    });
    return { v: PROTOCOL_VERSION, type: 'pushed', refused, current };
  };

  const pull = async (id: string, message: PullRequest, allowed: Set<string>): Promise<PullResponse> => {
    const namespaces = message.namespaces.filter((ns) => allowed.has(ns));
    return runSession(store, id, writeTimes, async (session) => {
      const now = store.now();
      let collected = Number((await readMeta(session.tx, 'collected_rev')) ?? '0');
      if (now - lastCollect > COLLECT_EVERY_MS) {
        lastCollect = now;
        collected = Math.max(collected, await session.collectTombstones(now - horizon));
        await writeMeta(session.tx, 'collected_rev', String(collected));
      }
      const cursor = message.cursor;
      const valid =
        cursor !== null &&
        cursor.server === id &&
        cursor.rev >= collected &&
        cursor.namespaces.join('\n') === namespaces.join('\n');
      const after = valid ? cursor.rev : 0;
      const page = await session.changesSince(after, namespaces, message.limit, false);
      // With nothing more to send, the cursor moves to the newest rev, past other namespaces'.
      const rev = page.more ? page.lastRev : Math.max(page.lastRev, session.rev);
      const next: Cursor = { server: id, rev, namespaces };
      return { v: PROTOCOL_VERSION, type: 'pulled', changes: page.changes, cursor: next, more: page.more, namespaces };
    });
  };

  return Object.assign(handle, {
    close: async () => {
      unsubscribe?.();
      live.close();
      if (unlisten !== undefined) await handBackToTriggers(store, writeTimes, unlisten);
    },
  });
}

/**
 * Counts live keys and groups per namespace within one push, for its quota checks: read once
 * per namespace, then kept up to date as the push applies.
 */
class QuotaCounts {
  readonly #keys = new Map<string, number>();
  readonly #groups = new Map<string, Set<string>>();

  async admit(
    change: Change,
    tx: Transaction,
    quotas: (namespace: string) => QuotaOptions | undefined,
    now: number,
  ): Promise<string | undefined> {
    const ns = namespaceOf(change.group) as string;
    const quota = quotas(ns);
    const maxKeys = quota?.maxKeys ?? 0;
    const maxGroups = quota?.maxGroups ?? 0;
    const wasLive = await tx.has(change.group, change.key);
    const willBeLive = change.value !== null && (change.expiresAt === null || change.expiresAt > now);
    const keys = this.#keys.get(ns) ?? (await tx.countAll(`${ns}:`));
    const groups = this.#groups.get(ns) ?? new Set(await tx.groups(`${ns}:`));
    if (willBeLive && !wasLive) {
      if (maxKeys > 0 && keys >= maxKeys)
        return `sync: ${change.group}/${change.key}: quota maxKeys (${maxKeys}) exceeded`;
      if (maxGroups > 0 && !groups.has(change.group) && groups.size >= maxGroups) {
        return `sync: ${change.group}/${change.key}: quota maxGroups (${maxGroups}) exceeded`;
      }
    }
    this.#keys.set(ns, keys + (willBeLive ? 1 : 0) - (wasLive ? 1 : 0));
    if (willBeLive) groups.add(change.group);
    else if (wasLive && (await tx.count(change.group)) <= 1) groups.delete(change.group);
    this.#groups.set(ns, groups);
    return undefined;
  }
}

/** A push may repeat a key (a duplicated request body); the highest stamp of each is enough. */
function newestFirst(changes: readonly Change[]): Change[] {
  const newest = new Map<string, Change>();
  for (const change of changes) {
    const id = JSON.stringify([change.group, change.key]);
    const seen = newest.get(id);
    if (seen === undefined || change.hlc > seen.hlc) newest.set(id, change);
  }
  return [...newest.values()];
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
