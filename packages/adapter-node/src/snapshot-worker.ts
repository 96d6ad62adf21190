/**
 * The entry point of the worker thread that takes a compaction's snapshot (see
 * `log-snapshot.ts`): it builds one snapshot, replies once, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlJs } from '@go-store/driver-sqljs';
import { type LogSnapshotJob, SnapshotDeclinedError, writeSnapshotFromLog } from './log-snapshot.js';
import type { WorkerReply } from './snapshot-thread.js';

async function run(job: LogSnapshotJob): Promise<WorkerReply> {
  try {
    const SQL = await loadSqlJs();
    const snapshot = await writeSnapshotFromLog(SQL, job);
    return { kind: 'done', length: snapshot.length, crc: snapshot.crc };
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    const code = (error as NodeJS.ErrnoException)?.code;
    // A file system error writing the snapshot is the compaction's failure (a full disk, say);
    // anything else means this thread cannot do the job, and the store does it itself.
    if (!(error instanceof SnapshotDeclinedError) && typeof code === 'string') return { kind: 'failed', message, code };
    return { kind: 'declined', reason: message };
  }
}

parentPort?.postMessage(await run(workerData as LogSnapshotJob));
