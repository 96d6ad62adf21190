/**
 * Runs the conformance suite on every runtime we support (Node, Deno, Bun, workerd) against the
 * built packages, in memory and on files, exercises the examples, prints a table, and exits
 * non-zero if any runtime is missing or anything failed. Nothing is skipped silently: a run
 * that cannot happen is printed as a note, and only for the one documented reason below.
 *
 *   node dist/run.js        (after `pnpm run build` at the root and `tsc -p .` here)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { runScriptExample, runWorkerExample } from './host/examples.js';
import { runLockRow } from './host/lock-rows.js';
import { runNodeCompatRow, type NodeCompatRuntime } from './host/node-compat-rows.js';
import { printReport } from './host/report.js';
import type { Row } from './host/row.js';
import { runWorkerdRow } from './host/workerd-row.js';

const NODE_COMPAT: readonly NodeCompatRuntime[] = ['Node', 'Deno', 'Bun'];

/**
 * Whether `openStore` of the Node adapter opens files yet. Only its own "not supported yet"
 * answer counts as no; any other failure lets the file runs go ahead and report it.
 */
async function canOpenFiles(): Promise<boolean> {
  const folder = mkdtempSync(join(tmpdir(), 'go-store-probe-'));
  try {
    const store = await openStore(join(folder, 'probe.db'), { purgeIntervalMs: 0 });
    await store.close();
    return true;
  } catch (error) {
    return !/not supported yet/.test(String((error as Error).message));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const started = performance.now();
const files = await canOpenFiles();
const notes = files
  ? []
  : ['no file-persistence runs: @go-store/adapter-node cannot open database files yet, so Node, Deno and Bun ran on :memory: only'];

// One run at a time: the machine has two cores, shared, and each runtime is quick on its own.
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  const counts = row.counts ? `${row.counts.passed}/${row.counts.total}` : '-';
  console.log(`${row.status === 'passed' ? '✔' : '✘'} ${row.runtime} ${row.version} ${row.what}: ${counts} in ${(row.durationMs / 1000).toFixed(1)} s`);
};

for (const runtime of NODE_COMPAT) {
  record(await runNodeCompatRow(runtime, 'memory'));
  if (files) {
    record(await runNodeCompatRow(runtime, 'file'));
    record(await runLockRow(runtime));
  }
}
record(await runWorkerdRow());
record(await runScriptExample('Deno', files));
record(await runScriptExample('Bun', files));
record(await runWorkerExample());

printReport(rows, notes, performance.now() - started);
process.exitCode = rows.every((row) => row.status === 'passed') ? 0 : 1;
