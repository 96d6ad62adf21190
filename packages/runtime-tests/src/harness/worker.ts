/**
 * Runs the conformance suite inside workerd, on the built packages, and reports over HTTP.
 *
 *   GET /run     runs every suite against fresh ':memory:' stores; the body is a RuntimeReport
 *   GET /probe   what this isolate allows: the host checks that code generation from strings and
 *                WebAssembly from bytes are refused here, as on Cloudflare, so a green run means
 *                the store needs neither
 *
 * sql.js is loaded by the Worker example's own loader (the `.wasm` imported as a compiled
 * module, handed over through `instantiateWasm`), so this run also exercises the example.
 * No `asyncContext` is passed: workerd has `AsyncLocalStorage` only through `node:async_hooks`
 * (`nodejs_compat` or `nodejs_als`), and this bundle uses no Node built-in; so the suite checks
 * that an outer call inside a transaction waits for it, as documented.
 */
import './uvu-defer.js';
import { createStore, type StoreOptions } from '@go-store/core';
import { createSqlJsDriver } from '@go-store/driver-sqljs';
import { runConformance } from '@go-store/test-suite';
import { loadSqlJs } from '../../../../examples/worker/src/sqljs.js';
import type { RuntimeReport } from './result.js';
import { runQueuedSuites } from './suite-runner.js';

/** The workerd version, filled in by the host when it bundles this file. */
declare const WORKERD_VERSION: string;

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/run') return Response.json(await run());
    if (pathname === '/probe') return Response.json(await probe());
    return new Response('not found\n', { status: 404 });
  },
};

async function run(): Promise<RuntimeReport> {
  const SQL = await loadSqlJs();
  const open = (options?: StoreOptions) => createStore(createSqlJsDriver(new SQL.Database()), options);
  const result = await runQueuedSuites(() => {
    runConformance('workerd :memory:', open, { asyncContext: false });
  });
  return { runtime: 'workerd', version: WORKERD_VERSION, ...result };
}

/** Each answer is `refused` (with the error's name) or `allowed`. */
async function probe(): Promise<Record<string, string>> {
  const EMPTY_WASM_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  return {
    // biome-ignore lint/security/noGlobalEval: probes that the runtime refuses code generation
    eval: attempt(() => globalThis.eval('1')),
    newFunction: attempt(() => new Function('return 1')()),
    wasmFromBytes: await attemptAsync(() => WebAssembly.compile(EMPTY_WASM_MODULE)),
    location: typeof (globalThis as { location?: unknown }).location,
    process: typeof (globalThis as { process?: unknown }).process,
  };
}

function attempt(call: () => unknown): string {
  try {
    call();
    return 'allowed';
  } catch (error) {
    return `refused (${error instanceof Error ? error.name : typeof error})`;
  }
}

async function attemptAsync(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'allowed';
  } catch (error) {
    return `refused (${error instanceof Error ? error.name : typeof error})`;
  }
}
