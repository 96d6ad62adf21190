/**
 * Runs the conformance suite on every runtime we support (Node, Deno, Bun, workerd) against the
 * built packages, in memory and on files, exercises the examples, prints a table, and exits
 * non-zero if any runtime is missing or anything failed. Nothing is skipped: a run that cannot
 * happen fails.
 *
 *   node dist/run.js        (after `pnpm run build` at the root and `tsc -p .` here)
 */
import { runCloudflareExample } from './host/cloudflare-example.js';
import { runCloudflareRows } from './host/cloudflare-rows.js';
import { runScriptExample, runWorkerExample } from './host/examples.js';
import { runLockRow } from './host/lock-rows.js';
import { type NodeCompatRuntime, runNodeCompatRow } from './host/node-compat-rows.js';
import { printReport } from './host/report.js';
import type { Row } from './host/row.js';
import { runWorkerdRow } from './host/workerd-row.js';

const NODE_COMPAT: readonly NodeCompatRuntime[] = ['Node', 'Deno', 'Bun'];

const started = performance.now();

// One run at a time: the machine has two cores, shared, and each runtime is quick on its own.
const rows: Row[] = [];
const record = (row: Row) => {
  rows.push(row);
  const counts = row.counts ? `${row.counts.passed}/${row.counts.total}` : '-';
  console.log(
    `${row.status === 'passed' ? '✔' : '✘'} ${row.runtime} ${row.version} ${row.what}: ${counts} in ${(row.durationMs / 1000).toFixed(1)} s`,
  );
};

for (const runtime of NODE_COMPAT) {
  record(await runNodeCompatRow(runtime, 'memory'));
  record(await runNodeCompatRow(runtime, 'file'));
  record(await runLockRow(runtime));
}
record(await runWorkerdRow());
for (const row of await runCloudflareRows()) record(row);
record(await runScriptExample('Deno'));
record(await runScriptExample('Bun'));
record(await runWorkerExample());
record(await runCloudflareExample());

printReport(rows, performance.now() - started);
process.exitCode = rows.every((row) => row.status === 'passed') ? 0 : 1;
