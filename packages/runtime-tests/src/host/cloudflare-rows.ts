/**
 * The conformance suite on Cloudflare's own SQLite in workerd: inside a SQLite-backed Durable
 * Object, and against a D1 binding. The harness Worker (`cloudflare-worker.ts`) runs the suites
 * and answers with their counts; this side also checks that a Durable Object without SQLite is
 * refused with a message naming `new_sqlite_classes`.
 */
import type { RuntimeReport } from '../harness/result.js';
import { tail } from './child.js';
import { CLOUDFLARE_HARNESS } from './paths.js';
import { failedRow, type Row } from './row.js';
import {
  type Bundle,
  bundleWorker,
  exampleCompatibilityDate,
  type RunningWorker,
  removeBundle,
  serveWorker,
  workerdVersion,
} from './workerd.js';

const RUN_TIMEOUT_MS = 300_000;

/** The bindings the harness Worker expects. */
const BINDINGS = {
  durableObjects: {
    CONFORMANCE: { className: 'ConformanceObject', useSQLite: true },
    KV_ONLY: { className: 'KeyValueOnlyObject' },
  },
  d1Databases: ['DB'],
};

/** Two rows: the suite in a Durable Object, and on D1. */
export async function runCloudflareRows(): Promise<Row[]> {
  const version = workerdVersion();
  const started = performance.now();
  let bundle: Bundle | undefined;
  let worker: RunningWorker | undefined;
  try {
    bundle = await bundleWorker(CLOUDFLARE_HARNESS, { WORKERD_VERSION: JSON.stringify(version) });
    worker = await serveWorker(bundle.folder, bundle.main, exampleCompatibilityDate(), BINDINGS);
    const refusal = await kvOnlyRefusal(worker.url);
    return [
      await suiteRow(worker, '/durable-object/run', 'Durable Object conformance', [refusal]),
      await suiteRow(worker, '/d1/run', 'D1 conformance', []),
    ];
  } catch (error) {
    return [
      failedRow('workerd', version, 'Cloudflare conformance', performance.now() - started, [
        String((error as Error).stack ?? error),
        ...(worker ? [tail(worker.output())] : []),
      ]),
    ];
  } finally {
    await worker?.dispose();
    if (bundle !== undefined) removeBundle(bundle);
  }
}

/** Why opening a store on an object without SQLite failed, or what went wrong instead. */
async function kvOnlyRefusal(base: URL): Promise<string | undefined> {
  const answer = (await (await fetch(new URL('/kv-only', base))).json()) as Record<string, string>;
  if (answer.code === 'INVALID_ARGUMENT' && answer.message?.includes('new_sqlite_classes')) return undefined;
  return `a Durable Object without SQLite: expected an InvalidArgumentError naming new_sqlite_classes, got ${JSON.stringify(answer)}`;
}

/** A row of the suite's counts plus the host's own checks (each a failure, or undefined when it passed). */
async function suiteRow(
  worker: RunningWorker,
  path: string,
  what: string,
  hostChecks: Array<string | undefined>,
): Promise<Row> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const version = workerdVersion();
  try {
    const response = await fetch(new URL(path, worker.url), { signal: AbortSignal.timeout(RUN_TIMEOUT_MS) });
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
