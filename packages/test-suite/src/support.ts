/**
 * What every area of the conformance suite shares: the harness, opening a fresh store with an
 * injected clock, and asserting rejections (events, timing and values have files of their own).
 * Nothing here depends on a runtime: the suite runs wherever uvu does (Node, Deno, Bun, a
 * browser, workerd).
 */
import { type Store, StoreError, type StoreOptions } from '@go-store/core';
import { type Callback, suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';

/** Opens a fresh, empty store with the given store options. */
export type OpenStore = (options?: StoreOptions) => Promise<Store>;

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /**
   * Run the tests that take real time (the background purge timer) or move a lot of data
   * (1 MB values, thousands of keys). Default `true`; turn off for a quick smoke run.
   */
  slow?: boolean;
  /**
   * Whether the store was given async context (`asyncContext` option; the Node adapter passes
   * `AsyncLocalStorage`). With it, awaiting a call on the outer store inside its own
   * transaction callback must reject at once (the suite checks this); without it (browsers,
   * workerd) that would hang, so the suite does not try. Default `true`.
   */
  asyncContext?: boolean;
  /**
   * Tests that cannot run on this engine, by exact name, each with the reason (say, a database
   * that cannot hold two independent stores at once). They are registered as skipped, so the
   * run's counts show them; a name that matches no test fails the run, so a renamed test is
   * never skipped silently.
   */
  skip?: Readonly<Record<string, string>>;
}

/** What each area's suite is given. */
export interface Harness {
  /** The driver or runtime under test, used in suite names. */
  readonly name: string;
  readonly open: OpenStore;
  readonly slow: boolean;
  readonly asyncContext: boolean;
  /** Names of the tests to skip (see {@link ConformanceOptions.skip}). */
  readonly skip: ReadonlySet<string>;
  /** The names in `skip` that matched a test so far. */
  readonly skipped: Set<string>;
}

/** A uvu suite for one area, named after the harness, that skips the tests the harness says to. */
export function defineSuite(h: Harness, area: string): Test {
  const test = suite(`${h.name}: ${area}`);
  const register = (name: string, body: Callback<Record<string, unknown>>): void => {
    if (!h.skip.has(name)) return test(name, body);
    h.skipped.add(name);
    test.skip(name, body);
  };
  return Object.assign(register, test);
}

/** The Unix time the injected clock starts at: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/** A clock the tests move by hand, so TTLs are tested without sleeping. */
export class Clock {
  #t: number;

  constructor(start = T0) {
    this.#t = start;
  }

  /** The store's `now` option. */
  readonly now = (): number => this.#t;

  get time(): number {
    return this.#t;
  }

  set time(t: number) {
    this.#t = t;
  }

  advance(ms: number): void {
    this.#t += ms;
  }
}

/**
 * Opens a fresh store (injected clock, no background purge unless asked for), runs `body`, and
 * closes the store whatever happens.
 */
export async function withStore(
  harness: Harness,
  body: (store: Store, clock: Clock) => Promise<void>,
  options: StoreOptions = {},
): Promise<void> {
  const clock = new Clock();
  const store = await harness.open({ now: clock.now, purgeIntervalMs: 0, ...options });
  try {
    await body(store, clock);
  } finally {
    await store.close();
  }
}

type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * Asserts that `call()` returns a Promise (it must not throw synchronously) that rejects with
 * an instance of `Class`, itself a `StoreError` with the given `code`. Resolves to the error.
 */
export async function rejects<E extends Error>(
  call: () => PromiseLike<unknown>,
  Class: ErrorClass<E>,
  code?: string,
  what = 'the call',
): Promise<E> {
  let pending: PromiseLike<unknown>;
  try {
    pending = call();
  } catch (error) {
    assert.unreachable(`${what} threw synchronously instead of returning a rejected Promise: ${String(error)}`);
    throw error;
  }
  assert.type(pending?.then, 'function', `${what} must return a Promise`);
  let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    settled = { ok: true, value: await pending };
  } catch (error) {
    settled = { ok: false, error };
  }
  if (settled.ok) {
    assert.unreachable(`${what} resolved (to ${describe(settled.value)}) but should have rejected with ${Class.name}`);
    throw new Error('unreachable');
  }
  const error = settled.error;
  assert.ok(error instanceof Class, `${what} rejected with ${describe(error)}, expected ${Class.name}`);
  assert.ok(error instanceof StoreError, `${what}: ${Class.name} must extend StoreError`);
  if (code !== undefined) assert.is((error as StoreError).code, code, `${what}: error code`);
  return error as E;
}

/** Like {@link rejects} for a synchronous call that must throw. */
export function throwsSync<E extends Error>(
  call: () => unknown,
  Class: ErrorClass<E>,
  code?: string,
  what = 'the call',
): E {
  try {
    call();
  } catch (error) {
    assert.ok(error instanceof Class, `${what} threw ${describe(error)}, expected ${Class.name}`);
    assert.ok(error instanceof StoreError, `${what}: ${Class.name} must extend StoreError`);
    if (code !== undefined) assert.is((error as StoreError).code, code, `${what}: error code`);
    return error as E;
  }
  assert.unreachable(`${what} did not throw ${Class.name}`);
  throw new Error('unreachable');
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.constructor.name}(${JSON.stringify(value.message)})`;
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
