/**
 * Runs the uvu suites registered by a callback and counts the results, in any runtime.
 *
 * uvu's own `exec()` prints its totals and sets `process.exitCode` but returns nothing, and it
 * does not exist as such in workerd. With `UVU_DEFER` set (see `uvu-defer.ts`), each suite's
 * `.run()` queues a runner in `globalThis.UVU_QUEUE` instead of starting; running those runners
 * here gives the counts uvu itself would print.
 */
import type { SuiteResult } from './result.js';

/** What one queued uvu suite resolves to: its errors (or `true`), passed, skipped, total. */
type QueuedSuite = () => Promise<[errors: string | true, passed: number, skipped: number, total: number]>;

interface UvuGlobals {
  UVU_DEFER?: number;
  UVU_INDEX?: number;
  UVU_QUEUE?: Array<Array<QueuedSuite | string | null>>;
}

const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

/** Registers suites through `register` (which calls each suite's `.run()`), runs them, counts. */
export async function runQueuedSuites(register: () => void): Promise<SuiteResult> {
  const uvu = globalThis as UvuGlobals;
  if (uvu.UVU_DEFER !== 1) throw new Error('suite-runner: import ./uvu-defer.js before anything that imports uvu');
  uvu.UVU_INDEX = 0;
  uvu.UVU_QUEUE = [[null]];
  register();
  const queued = (uvu.UVU_QUEUE[0] ?? []).filter((entry): entry is QueuedSuite => typeof entry === 'function');
  uvu.UVU_QUEUE = [];

  const result: SuiteResult = {
    total: 0,
    passed: 0,
    failed: 0,
    skipped: 0,
    suites: queued.length,
    durationMs: 0,
    failures: [],
  };
  const started = performance.now();
  for (const run of queued) {
    const [errors, passed, skipped, total] = await run();
    result.total += total;
    result.passed += passed;
    result.skipped += skipped;
    if (errors !== true) result.failures.push(errors.replace(ANSI_COLOUR, ''));
  }
  result.failed = result.total - result.passed;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}
