/**
 * A harness Worker (one of `../harness/*-worker.ts`) served by workerd, and the runtimes-table
 * row made from the suite counts it answers with.
 */
import type { RuntimeReport } from '../harness/result.js';
import { tail } from './child.js';
import { failedRow, type Row } from './row.js';
import {
  bundleWorker,
  exampleCompatibilityDate,
  type RunningWorker,
  removeBundle,
  serveWorker,
  type WorkerBindings,
  workerdVersion,
} from './workerd.js';

/**
 * Bundles the harness at `entry` (with `WORKERD_VERSION` defined) and serves it; disposing of
 * the worker also removes the bundle.
 */
export async function serveHarness(entry: string, bindings: WorkerBindings = {}): Promise<RunningWorker> {
  const bundle = await bundleWorker(entry, { WORKERD_VERSION: JSON.stringify(workerdVersion()) });
  try {
    const worker = await serveWorker(bundle.folder, bundle.main, exampleCompatibilityDate(), bindings);
    return {
      ...worker,
      dispose: () => worker.dispose().finally(() => removeBundle(bundle)),
    };
  } catch (error) {
    removeBundle(bundle);
    throw error;
  }
}

/**
 * Fetches `path` from the harness, which runs suites and answers with their counts, and makes
 * the row: those counts plus the host's own checks (each a failure, or undefined when it passed).
 */
export async function suiteRow(
  worker: RunningWorker,
  path: string,
  what: string,
  timeoutMs: number,
  hostChecks: Array<string | undefined> = [],
): Promise<Row> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const version = workerdVersion();
  try {
    const response = await fetch(new URL(path, worker.url), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      return failedRow('workerd', version, what, elapsed(), [
        `${path} answered ${response.status}`,
        await response.text(),
        tail(worker.output()),
      ]);
    }
    const report = (await response.json()) as RuntimeReport;
    const hostFailures = hostChecks.filter((failure): failure is string => failure !== undefined);
    const total = report.total + hostChecks.length;
    const passed = report.passed + hostChecks.length - hostFailures.length;
    const details = [
      ...(report.failed > 0 ? report.failures : report.total === 0 ? ['no test ran'] : []),
      ...hostFailures,
    ];
    return {
      runtime: 'workerd',
      version: report.version,
      what,
      status: details.length === 0 ? 'passed' : 'failed',
      counts: { total, passed, failed: total - passed, skipped: report.skipped },
      durationMs: elapsed(),
      details: [...details, ...(details.length > 0 ? [tail(worker.output())] : [])],
    };
  } catch (error) {
    return failedRow('workerd', version, what, elapsed(), [
      String((error as Error).stack ?? error),
      tail(worker.output()),
    ]);
  }
}

/** A row for a harness that failed before any suite ran. */
export function harnessFailedRow(what: string, started: number, error: unknown, worker?: RunningWorker): Row {
  return failedRow('workerd', workerdVersion(), what, performance.now() - started, [
    String((error as Error).stack ?? error),
    ...(worker ? [tail(worker.output())] : []),
  ]);
}
