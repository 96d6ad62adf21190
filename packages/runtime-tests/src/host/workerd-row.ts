/**
 * The conformance suite inside workerd: the harness Worker runs every suite and answers with
 * its counts over HTTP on 127.0.0.1. Before that, its `/probe` must show that this isolate
 * refuses code generation from strings and WebAssembly from bytes, as Cloudflare does.
 */
import type { RuntimeReport } from '../harness/result.js';
import { tail } from './child.js';
import { WORKER_HARNESS } from './paths.js';
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

const RUN_TIMEOUT_MS = 150_000;

export async function runWorkerdRow(): Promise<Row> {
  const what = 'conformance :memory:';
  const version = workerdVersion();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let bundle: Bundle | undefined;
  let worker: RunningWorker | undefined;
  try {
    bundle = await bundleWorker(WORKER_HARNESS, { WORKERD_VERSION: JSON.stringify(version) });
    worker = await serveWorker(bundle.folder, bundle.main, exampleCompatibilityDate());
    if (worker.url.hostname !== '127.0.0.1')
      return failedRow('workerd', version, what, elapsed(), [`served on ${worker.url.host}, not 127.0.0.1`]);

    const probe = (await (await fetch(new URL('/probe', worker.url))).json()) as Record<string, string>;
    const lax = ['eval', 'newFunction', 'wasmFromBytes'].filter((key) => !probe[key]?.startsWith('refused'));
    if (lax.length > 0) {
      return failedRow('workerd', version, what, elapsed(), [
        `this workerd allows ${lax.join(', ')}, so a green run would prove nothing: ${JSON.stringify(probe)}`,
      ]);
    }

    const response = await fetch(new URL('/run', worker.url), { signal: AbortSignal.timeout(RUN_TIMEOUT_MS) });
    if (!response.ok) {
      return failedRow('workerd', version, what, elapsed(), [
        `/run answered ${response.status}`,
        await response.text(),
        tail(worker.output()),
      ]);
    }
    const report = (await response.json()) as RuntimeReport;
    const { total, passed, failed, skipped } = report;
    const details = failed > 0 ? report.failures : total === 0 ? ['no test ran'] : [];
    return {
      runtime: 'workerd',
      version: report.version,
      what,
      status: details.length === 0 ? 'passed' : 'failed',
      counts: { total, passed, failed, skipped },
      durationMs: elapsed(),
      details: [...details, ...(details.length > 0 ? [tail(worker.output())] : [])],
    };
  } catch (error) {
    return failedRow('workerd', version, what, elapsed(), [
      String((error as Error).stack ?? error),
      ...(worker ? [tail(worker.output())] : []),
    ]);
  } finally {
    await worker?.dispose();
    if (bundle !== undefined) removeBundle(bundle);
  }
}
