/**
 * Runs the conformance suite on every runtime we support (Node 20, 22 and 24, Deno, Bun, workerd)
 * against the built packages, with each engine the runtime has, in memory and on files, checks the
 * native engine across processes, exercises the examples, prints a table, and exits
 * non-zero if any runtime is missing or anything failed. Nothing is skipped: a run that cannot
 * happen fails.
 *
 *   node dist/run.js        (after `pnpm run build` at the root and `tsc -p .` here)
 */
import { runCloudflareExample } from './host/cloudflare-example.js';
import { runCloudflareRows } from './host/cloudflare-rows.js';
import { runScriptExample, runWorkerExample } from './host/examples.js';
import { runLockRow } from './host/lock-rows.js';
import { runNativeProcessesRow } from './host/native-rows.js';
import { type EngineName, type NodeCompatRuntime, runNodeCompatRow } from './host/node-compat-rows.js';
import { printReport } from './host/report.js';
import type { Row } from './host/row.js';
import { runWorkerdRow } from './host/workerd-row.js';

/** Every runtime with each engine it has: Node 20 (this machine's) has no SQLite of its own. */
const NODE_COMPAT: readonly { runtime: NodeCompatRuntime; engines: readonly EngineName[] }[] = [
  { runtime: 'Node', engines: ['sqljs'] },
  { runtime: 'Node 22', engines: ['native', 'sqljs'] },
  { runtime: 'Node 24', engines: ['native', 'sqljs'] },
  { runtime: 'Deno', engines: ['native', 'sqljs'] },
  { runtime: 'Bun', engines: ['native', 'sqljs'] },
];
/** The runtimes whose sql.js engine also runs the cross-process lock checks. */
const LOCK_RUNTIMES: readonly NodeCompatRuntime[] = ['Node', 'Deno', 'Bun'];
/** The runtimes whose native engine runs the cross-process, crash and engine-switch checks. */
const NATIVE_PROCESS_RUNTIMES: readonly NodeCompatRuntime[] = ['Node 24', 'Deno', 'Bun'];

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

for (const { runtime, engines } of NODE_COMPAT) {
  for (const engine of engines) {
    record(await runNodeCompatRow(runtime, engine, 'memory'));
    record(await runNodeCompatRow(runtime, engine, 'file'));
  }
  if (LOCK_RUNTIMES.includes(runtime)) record(await runLockRow(runtime));
  if (NATIVE_PROCESS_RUNTIMES.includes(runtime)) record(await runNativeProcessesRow(runtime));
}
record(await runWorkerdRow());
for (const row of await runCloudflareRows()) record(row);
record(await runScriptExample('Deno'));
record(await runScriptExample('Bun'));
record(await runWorkerExample());
record(await runCloudflareExample());

printReport(rows, performance.now() - started);
process.exitCode = rows.every((row) => row.status === 'passed') ? 0 : 1;
