/**
 * The conformance suite on Cloudflare's own SQLite, inside workerd, on the built
 * `@go-store/adapter-cloudflare`; the host reads the counts over HTTP.
 *
 *   GET /durable-object/run   every suite inside a SQLite-backed Durable Object
 *   GET /d1/run               every suite against the D1 binding, from the Worker
 *   GET /kv-only              opens a store on a Durable Object without SQLite: the error
 *
 * Each `open` of the suite empties go-store's table first, so every test starts from an empty
 * database: a Durable Object (and a D1 binding) has one database, which two stores open at the
 * same time share (the suite's tests that open two stores keep to rows of their own). On D1,
 * the tests of `transaction()` are skipped, each named in `d1-skips.ts`.
 */
import './uvu-defer.js';
import {
  type D1DatabaseLike,
  type DurableObjectStorageLike,
  openD1Store,
  openDurableObjectStore,
} from '@go-store/adapter-cloudflare';
import type { StoreOptions } from '@go-store/core';
import { runConformance } from '@go-store/test-suite';
import { d1Suite } from '../../../adapter-cloudflare/test/workerd/d1-suite.js';
import { durableObjectSuite } from '../../../adapter-cloudflare/test/workerd/durable-object-suite.js';
import { D1_TRANSACTION_TESTS } from './d1-skips.js';
import type { RuntimeReport } from './result.js';
import { runQueuedSuites } from './suite-runner.js';

/** The workerd version, filled in by the host when it bundles this file. */
declare const WORKERD_VERSION: string;

interface Env {
  DB: D1DatabaseLike;
  CONFORMANCE: DurableObjectNamespaceLike;
  KV_ONLY: DurableObjectNamespaceLike;
}

interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

interface DurableObjectStateLike {
  storage: DurableObjectStorageLike;
}

const EMPTY_KV = 'DELETE FROM kv';

const NO_TRANSACTION = 'uses store.transaction(), which a D1 store refuses at once';

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/durable-object/run') {
      return env.CONFORMANCE.get(env.CONFORMANCE.idFromName('conformance')).fetch(request);
    }
    if (pathname === '/kv-only') return env.KV_ONLY.get(env.KV_ONLY.idFromName('kv-only')).fetch(request);
    if (pathname === '/d1/run') return Response.json(await runD1(env.DB));
    return new Response('not found\n', { status: 404 });
  },
};

/** Runs every suite inside this object, on its SQLite storage. */
export class ConformanceObject {
  readonly #storage: DurableObjectStorageLike;

  constructor(state: DurableObjectStateLike) {
    this.#storage = state.storage;
  }

  async fetch(): Promise<Response> {
    const storage = this.#storage;
    const reset = () => {
      try {
        storage.sql.exec(EMPTY_KV);
      } catch {
        // No table yet: the first open creates it.
      }
    };
    const open = (options?: StoreOptions) => {
      reset();
      return openDurableObjectStore(storage, options);
    };
    const result = await runQueuedSuites(() => {
      runConformance('workerd Durable Object', open, { asyncContext: false });
      durableObjectSuite('workerd', storage, reset);
    });
    const report: RuntimeReport = { runtime: 'workerd', version: WORKERD_VERSION, ...result };
    return Response.json(report);
  }
}

/** A Durable Object without SQLite storage (not in `new_sqlite_classes`). */
export class KeyValueOnlyObject {
  readonly #storage: DurableObjectStorageLike;

  constructor(state: DurableObjectStateLike) {
    this.#storage = state.storage;
  }

  async fetch(): Promise<Response> {
    const error = await openDurableObjectStore(this.#storage).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    return Response.json(error ? { name: error.name, code: error.code, message: error.message } : { opened: true });
  }
}

async function runD1(db: D1DatabaseLike): Promise<RuntimeReport> {
  const reset = async () => {
    await db.exec(EMPTY_KV).catch(() => undefined);
  };
  const open = async (options?: StoreOptions) => {
    await reset();
    return openD1Store(db, options);
  };
  const skip: Record<string, string> = {};
  for (const name of D1_TRANSACTION_TESTS) skip[name] = NO_TRANSACTION;
  const result = await runQueuedSuites(() => {
    runConformance('workerd D1', open, { asyncContext: false, skip });
    d1Suite('workerd', db, reset);
  });
  return { runtime: 'workerd', version: WORKERD_VERSION, ...result };
}
