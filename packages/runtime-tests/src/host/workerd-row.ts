/**
 * The conformance suite inside workerd: the harness Worker runs every suite and answers with
 * its counts over HTTP on 127.0.0.1. Before that, its `/probe` must show that this isolate
 * refuses code generation from strings and WebAssembly from bytes, as Cloudflare does.
 */
import { harnessFailedRow, serveHarness, suiteRow } from './harness-worker.js';
import { WORKER_HARNESS } from './paths.js';
import { failedRow, type Row } from './row.js';
import { type RunningWorker, workerdVersion } from './workerd.js';

const RUN_TIMEOUT_MS = 150_000;

export async function runWorkerdRow(): Promise<Row> {
  const what = 'conformance :memory:';
  const version = workerdVersion();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let worker: RunningWorker | undefined;
  try {
    worker = await serveHarness(WORKER_HARNESS);
    if (worker.url.hostname !== '127.0.0.1')
      return failedRow('workerd', version, what, elapsed(), [`served on ${worker.url.host}, not 127.0.0.1`]);

    const probe = (await (await fetch(new URL('/probe', worker.url))).json()) as Record<string, string>;
    const lax = ['eval', 'newFunction', 'wasmFromBytes'].filter((key) => !probe[key]?.startsWith('refused'));
    if (lax.length > 0) {
      return failedRow('workerd', version, what, elapsed(), [
        `this workerd allows ${lax.join(', ')}, so a green run would prove nothing: ${JSON.stringify(probe)}`,
      ]);
    }
    const row = await suiteRow(worker, '/run', what, RUN_TIMEOUT_MS);
    return { ...row, durationMs: elapsed() };
  } catch (error) {
    return harnessFailedRow(what, started, error, worker);
  } finally {
    await worker?.dispose();
  }
}
