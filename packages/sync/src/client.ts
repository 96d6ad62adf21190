/**
 * The client end: pushes the store's local changes to the server and pulls everyone else's,
 * on demand, after local writes, on the live channel's signal and periodically, retrying with
 * backoff while the server cannot be reached.
 */
import { InvalidArgumentError, type Store } from '@go-store/core';
import { SyncError } from './errors.js';
import { readLiveEvents } from './live-client.js';
import {
  type Change,
  type Cursor,
  errorFromResponse,
  isNamespace,
  PROTOCOL_VERSION,
  type PullRequest,
  type PushRequest,
  parsePullResponse,
  parsePushResponse,
  type RefusalReason,
} from './protocol.js';
import { handBackToTriggers, installSchema, readMeta, runSession, type Session, writeMeta } from './replica.js';
import { SELECT_LOG_PENDING } from './schema.js';
import { WriteTimes } from './write-times.js';

/** A change the server refused: it was not applied there. */
export interface RefusedChange {
  group: string;
  key: string;
  reason: RefusalReason;
  message: string;
}

/** Where sync stands. */
export interface SyncStatus {
  /** `offline`: the server could not be reached; `error`: it answered with an error. */
  state: 'idle' | 'syncing' | 'offline' | 'error';
  /** When the last sync completed, in Unix ms by the store's clock; null before the first. */
  lastSyncAt: number | null;
  /** Why the last attempt failed; null after a success. */
  lastError: Error | null;
  /** The changes the server refused since `startSync`, oldest first. */
  refused: readonly RefusedChange[];
}

/** Options of {@link startSync}. */
export interface SyncOptions {
  /** The address the server's handler is mounted at. */
  url: string | URL;
  /** The namespaces to sync (each `^[a-zA-Z0-9-]+$`): every group `ns:…` of them. */
  namespaces: readonly string[];
  /** Headers sent with every request (credentials), or a function giving them per request. */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** The `fetch` to use (default the global one). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Keep a live channel (server-sent events) open, so changes arrive within moments. Default false. */
  live?: boolean;
  /** Sync this often in ms as well (default 30 000; 0 turns it off). */
  intervalMs?: number;
  /** The first retry delay after a failure, in ms (default 500), doubling up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** The longest retry delay, in ms (default 30 000). */
  maxRetryDelayMs?: number;
  /** Changes per request (default 1000; a transaction is never split, so a request may carry more). */
  batchSize?: number;
  /** Called whenever `status` changes. */
  onStatus?: (status: SyncStatus) => void;
}

/** A running sync: see {@link startSync}. */
export interface Sync {
  /** One full push and pull; rejects with the failure if it fails (and retries are scheduled). */
  syncNow(): Promise<void>;
  /** Stops syncing (timers, live channel); resolves once any sync in progress has ended. */
  stop(): Promise<void>;
  /** The current status (a fresh snapshot on every read). */
  readonly status: SyncStatus;
}

/** How long local writes are gathered before they are pushed. */
const WRITE_DEBOUNCE_MS = 20;

/**
 * Starts syncing `store`'s namespaces with the server at `url`. Changes made while offline are
 * recorded in the store's database and sent once the server answers again, after a restart too.
 *
 * @example
 * ```ts
 * const sync = startSync(store, { url: 'https://example.com/sync', namespaces: ['notes'], live: true });
 * await sync.syncNow();
 * ```
 */
export function startSync(store: Store, options: SyncOptions): Sync {
  return new SyncClient(store, checkOptions(options));
}

interface Settings {
  url: string;
  namespaces: string[];
  headers: SyncOptions['headers'];
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  live: boolean;
  intervalMs: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  batchSize: number;
  onStatus: ((status: SyncStatus) => void) | undefined;
}

class SyncClient implements Sync {
  readonly #store: Store;
  readonly #settings: Settings;
  readonly #node: Promise<string>;
  readonly #abort = new AbortController();
  readonly #refused: RefusedChange[] = [];
  #state: SyncStatus['state'] = 'idle';
  #lastSyncAt: number | null = null;
  #lastError: Error | null = null;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #interval: ReturnType<typeof setInterval> | undefined;
  #failures = 0;
  readonly #writeTimes = new WriteTimes();
  #stopped = false;
  readonly #unlisten: () => void;

  constructor(store: Store, settings: Settings) {
    this.#store = store;
    this.#settings = settings;
    // Listening first: a write made while the schema is installed is seen either way.
    this.#unlisten = this.#writeTimes.listen(store, () => this.#schedule(WRITE_DEBOUNCE_MS));
    this.#node = installSchema(store);
    this.#node.catch(() => undefined);
    if (settings.intervalMs > 0) {
      this.#interval = setInterval(() => this.#schedule(0), settings.intervalMs);
      unref(this.#interval);
    }
    if (settings.live) void this.#liveLoop();
    this.#schedule(0);
  }

  get status(): SyncStatus {
    return {
      state: this.#state,
      lastSyncAt: this.#lastSyncAt,
      lastError: this.#lastError,
      refused: [...this.#refused],
    };
  }

  syncNow(): Promise<void> {
    if (this.#stopped) return Promise.reject(new SyncError('BAD_REQUEST', 'sync: stopped'));
    if (this.#running === undefined) return this.#start();
    // A sync is under way: run one more after it, shared by every caller meanwhile.
    this.#queued ??= this.#running.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#queued;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#interval !== undefined) clearInterval(this.#interval);
    await Promise.allSettled([this.#running, this.#queued, this.#node]);
    // Writes go on being seen until the triggers are back (a store in memory: see replica.ts).
    await handBackToTriggers(this.#store, this.#writeTimes, this.#unlisten);
  }

  #start(): Promise<void> {
    this.#queued = undefined;
    // A round queued behind the one `stop()` ended never starts: nothing touches the store after.
    if (this.#stopped) return Promise.reject(new SyncError('BAD_REQUEST', 'sync: stopped'));
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const round = this.#round();
    this.#running = round;
    const clear = (): void => {
      if (this.#running === round) this.#running = undefined;
    };
    round.then(clear, clear);
    return round;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.syncNow().catch(() => undefined);
    }, delayMs);
    unref(this.#timer);
  }

  async #round(): Promise<void> {
    this.#setState('syncing');
    try {
      const node = await this.#node;
      await this.#push(node);
      await this.#pull(node);
      this.#failures = 0;
      this.#lastSyncAt = this.#store.now();
      this.#lastError = null;
      this.#setState('idle');
      // Writes made while this round ran (their events were ignored) go out in the next one.
      if (await this.#pending()) this.#schedule(WRITE_DEBOUNCE_MS);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.#lastError = failure;
      if (this.#store.closed) {
        this.#stopped = true;
        this.#setState('error');
        throw failure;
      }
      this.#failures += 1;
      this.#setState(failure instanceof SyncError && failure.code === 'NETWORK' ? 'offline' : 'error');
      const delay = Math.min(this.#settings.maxRetryDelayMs, this.#settings.retryDelayMs * 2 ** (this.#failures - 1));
      this.#schedule(delay * (0.5 + Math.random() / 2));
      throw failure;
    }
  }

  async #push(node: string): Promise<void> {
    const { namespaces, batchSize } = this.#settings;
    const cursorName = `push:${this.#settings.url}:${namespaces.join(',')}`;
    for (;;) {
      const page = await this.#session(node, async (session) => {
        const after = Number((await readMeta(session.tx, cursorName)) ?? '0');
        return session.changesSince(after, namespaces, batchSize, true);
      });
      if (page.changes.length === 0) return;
      const request: PushRequest = { v: PROTOCOL_VERSION, type: 'push', changes: page.changes };
      const answer = parsePushResponse(await this.#post(request));
      const pushed = new Map(page.changes.map((change) => [identity(change), change.hlc]));
      await this.#session(node, async (session) => {
        // The server's copy replaces a change refused by a quota, unless the key was written
        // again meanwhile (that newer write is pushed next).
        await session.apply(answer.current, {
          force: (change, currentHlc) => currentHlc === pushed.get(identity(change)),
        });
        await writeMeta(session.tx, cursorName, String(page.lastRev));
      });
      for (const refusal of answer.refused) {
        this.#refused.push({
          group: refusal.group,
          key: refusal.key,
          reason: refusal.reason,
          message: refusal.message,
        });
      }
      if (!page.more) return;
    }
  }

  async #pull(node: string): Promise<void> {
    const { namespaces, batchSize } = this.#settings;
    const cursorName = `pull:${this.#settings.url}`;
    for (;;) {
      const saved = await this.#session(node, (session) => readMeta(session.tx, cursorName));
      const cursor = saved === undefined ? null : (JSON.parse(saved) as Cursor);
      const request: PullRequest = { v: PROTOCOL_VERSION, type: 'pull', namespaces, cursor, limit: batchSize };
      const answer = parsePullResponse(await this.#post(request));
      await this.#session(node, async (session) => {
        await session.apply(answer.changes);
        await writeMeta(session.tx, cursorName, JSON.stringify(answer.cursor));
      });
      if (!answer.more) return;
    }
  }

  /** Whether writes are waiting in the change log. */
  async #pending(): Promise<boolean> {
    if (this.#writeTimes.pending) return true;
    return this.#store.transaction(async (tx) => (await tx.sql.all(SELECT_LOG_PENDING)).length > 0);
  }

  #session<T>(node: string, fn: (session: Session) => Promise<T>): Promise<T> {
    return runSession(this.#store, node, this.#writeTimes, fn);
  }

  async #post(message: PushRequest | PullRequest): Promise<unknown> {
    let response: Response;
    try {
      response = await this.#settings.fetch(this.#settings.url, {
        method: 'POST',
        headers: { ...(await this.#headers()), 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: this.#abort.signal,
      });
    } catch (error) {
      throw new SyncError('NETWORK', `sync: ${this.#settings.url} could not be reached`, 0, { cause: error });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      if (response.ok) throw new SyncError('NETWORK', 'sync: the answer was cut short', 0, { cause: error });
      body = undefined;
    }
    if (!response.ok) throw errorFromResponse(response.status, body);
    return body;
  }

  async #headers(): Promise<Record<string, string>> {
    const headers = this.#settings.headers;
    return typeof headers === 'function' ? await headers() : { ...headers };
  }

  async #liveLoop(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        const response = await this.#settings.fetch(this.#settings.url, {
          method: 'GET',
          headers: { ...(await this.#headers()), accept: 'text/event-stream' },
          signal: this.#abort.signal,
        });
        if (!response.ok || response.body === null) throw errorFromResponse(response.status, undefined);
        failures = 0;
        await readLiveEvents(response.body, () => this.#schedule(0));
      } catch {
        failures += 1;
      }
      if (this.#stopped) return;
      const delay = Math.min(this.#settings.maxRetryDelayMs, this.#settings.retryDelayMs * 2 ** Math.min(failures, 16));
      await sleep(delay, this.#abort.signal);
    }
  }

  #setState(state: SyncStatus['state']): void {
    this.#state = state;
    this.#settings.onStatus?.(this.status);
  }
}

function checkOptions(options: SyncOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('startSync: options must be an object');
  const url = String(options.url);
  const namespaces = options.namespaces;
  if (!Array.isArray(namespaces) || namespaces.length === 0 || !namespaces.every(isNamespace)) {
    throw new InvalidArgumentError('startSync: namespaces must be a non-empty array of names matching ^[a-zA-Z0-9-]+$');
  }
  const fetcher = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  const number = (name: string, value: number | undefined, fallback: number, min: number): number => {
    const result = value ?? fallback;
    if (!Number.isFinite(result) || result < min)
      throw new InvalidArgumentError(`startSync: ${name} must be a number >= ${min}`);
    return result;
  };
  return {
    url,
    namespaces: [...new Set(namespaces)].sort(),
    headers: options.headers,
    fetch: fetcher,
    live: options.live ?? false,
    intervalMs: number('intervalMs', options.intervalMs, 30_000, 0),
    retryDelayMs: number('retryDelayMs', options.retryDelayMs, 500, 1),
    maxRetryDelayMs: number('maxRetryDelayMs', options.maxRetryDelayMs, 30_000, 1),
    batchSize: Math.trunc(number('batchSize', options.batchSize, 1000, 1)),
    onStatus: options.onStatus,
  };
}

function identity(change: Change): string {
  return JSON.stringify([change.group, change.key]);
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    unref(timer);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
