/**
 * The conformance suite on Cloudflare's own SQLite in workerd: inside a SQLite-backed Durable
 * Object, and against a D1 binding. The harness Worker (`cloudflare-worker.ts`) runs the suites
 * and answers with their counts; this side also checks that a Durable Object without SQLite is
 * refused with a message naming `new_sqlite_classes`.
 */
import { harnessFailedRow, serveHarness, suiteRow } from './harness-worker.js';
import { CLOUDFLARE_HARNESS } from './paths.js';
import type { Row } from './row.js';
import type { RunningWorker } from './workerd.js';

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
  const started = performance.now();
  let worker: RunningWorker | undefined;
  try {
    worker = await serveHarness(CLOUDFLARE_HARNESS, BINDINGS);
    const refusal = await kvOnlyRefusal(worker.url);
    return [
      await suiteRow(worker, '/durable-object/run', 'Durable Object conformance', RUN_TIMEOUT_MS, [refusal]),
      await suiteRow(worker, '/d1/run', 'D1 conformance', RUN_TIMEOUT_MS),
    ];
  } catch (error) {
    return [harnessFailedRow('Cloudflare conformance', started, error, worker)];
  } finally {
    await worker?.dispose();
  }
}

/** Why opening a store on an object without SQLite failed, or what went wrong instead. */
async function kvOnlyRefusal(base: URL): Promise<string | undefined> {
  const answer = (await (await fetch(new URL('/kv-only', base))).json()) as Record<string, string>;
  if (answer.code === 'INVALID_ARGUMENT' && answer.message?.includes('new_sqlite_classes')) return undefined;
  return `a Durable Object without SQLite: expected an InvalidArgumentError naming new_sqlite_classes, got ${JSON.stringify(answer)}`;
}
