/**
 * Runs, in the browser, the conformance suite and the adapter's own checks against an `open`
 * function, and returns uvu's counts and failure report for the Node side to assert on.
 */
import './uvu-defer.js';
import type { Store, StoreOptions } from '@go-store/adapter-browser';
import { runConformance } from '@go-store/test-suite';
import { registerAdapterChecks } from './adapter-checks.js';

/** Opens a fresh store for one test. */
export type Open = (options?: StoreOptions) => Promise<Store>;

/** What a run reports: uvu's counts and its formatted failures. */
export interface SuiteResult {
  readonly label: string;
  readonly total: number;
  readonly passed: number;
  readonly skipped: number;
  readonly failures: string;
  readonly conformance: boolean;
  readonly ms: number;
}

type SuiteRun = () => Promise<[string | true, number, number, number]>;

/** Registers both suites, runs them one after the other, and reports. */
export async function runSuites(label: string, open: Open): Promise<SuiteResult> {
  const started = performance.now();
  const queue = (globalThis as unknown as { UVU_QUEUE: unknown[][] }).UVU_QUEUE;
  queue.length = 0;
  queue.push([label]);
  registerAdapterChecks(label, open);
  const conformance = typeof runConformance === 'function';
  // Browsers have no AsyncLocalStorage, so a call on the store from inside its own transaction
  // callback waits (documented) rather than rejecting.
  if (conformance) runConformance(label, open, { asyncContext: false });
  let total = 0;
  let passed = 0;
  let skipped = 0;
  let failures = '';
  const runs = queue[0].slice(1) as SuiteRun[];
  for (const run of runs) {
    const [errors, ran, skips, count] = await run();
    total += count;
    passed += ran;
    skipped += skips;
    if (errors !== true) failures += errors;
  }
  return { label, total, passed, skipped, failures, conformance, ms: Math.round(performance.now() - started) };
}

/** An `open` that gives every test a database of its own. */
export function opener(
  openStore: (name: string, options: StoreOptions & { vfs?: 'opfs-sahpool' | 'opfs' }) => Promise<Store>,
  vfs: 'opfs-sahpool' | 'opfs',
  run: string,
): Open {
  let next = 0;
  return (options) => openStore(`t${run}-${next++}`, { ...options, vfs });
}
