/**
 * Running a compaction's snapshot in a worker thread (`snapshot-worker.ts`), so that the store's
 * event loop never waits for a copy of the whole database. Where the runtime has no worker
 * threads, or the worker cannot start or declines the job, the caller is told so and takes the
 * snapshot itself; only a failure to write the snapshot (a full disk, say) is an error.
 */
import type { LogSnapshot, LogSnapshotJob } from './log-snapshot.js';

/** The worker's one message. */
export type WorkerReply =
  | { readonly kind: 'done'; readonly length: number; readonly crc: number }
  | { readonly kind: 'declined'; readonly reason: string }
  | { readonly kind: 'failed'; readonly message: string; readonly code: string };

/**
 * What became of the job: the snapshot written; declined by the worker (the files do not allow
 * it this time); or no worker could run it (it will not next time either).
 */
export type WorkerOutcome =
  | { readonly kind: 'done'; readonly snapshot: LogSnapshot }
  | { readonly kind: 'declined' | 'unavailable'; readonly reason: string };

/** The worker's script, beside this module. */
const WORKER_URL = new URL('./snapshot-worker.js', import.meta.url);

/**
 * Runs `job` in a new worker thread. Rejects (with an `Error` carrying the file system's `code`)
 * only when the snapshot could not be written. The thread keeps the process alive until it ends
 * (as the file writes of a snapshot taken on the main thread do), so that a `close()` awaiting
 * this compaction is not cut short by the process exiting.
 */
export async function snapshotInWorker(job: LogSnapshotJob, script: URL = WORKER_URL): Promise<WorkerOutcome> {
  let threads: typeof import('node:worker_threads');
  try {
    threads = await import('node:worker_threads');
  } catch (error) {
    return { kind: 'unavailable', reason: `no worker threads (${(error as Error)?.message ?? String(error)})` };
  }
  let worker: import('node:worker_threads').Worker;
  try {
    worker = new threads.Worker(script, { workerData: job });
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: `a worker thread cannot start (${(error as Error)?.message ?? String(error)})`,
    };
  }
  const reply = await new Promise<WorkerReply | { kind: 'unavailable'; reason: string }>((resolve) => {
    worker.once('message', (message: WorkerReply) => resolve(message));
    worker.once('error', (error: unknown) =>
      resolve({
        kind: 'unavailable',
        reason: `the worker thread failed (${(error as Error)?.message ?? String(error)})`,
      }),
    );
    worker.once('exit', (code: number) =>
      resolve({ kind: 'unavailable', reason: `the worker thread exited (code ${code}) without a reply` }),
    );
  });
  void worker.terminate().catch(() => undefined);
  if (reply.kind === 'done') return { kind: 'done', snapshot: { length: reply.length, crc: reply.crc } };
  if (reply.kind === 'failed') throw Object.assign(new Error(reply.message), { code: reply.code });
  return reply;
}
