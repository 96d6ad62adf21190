/**
 * Runs the conformance suite on every runtime we support, on the built packages, exercises the
 * examples, prints a table, and exits non-zero if anything is missing or failing.
 *
 *   node dist/run.js
 */
import { runNodeCompatRow } from './host/node-compat-rows.js';
import type { Row } from './host/row.js';
import { runWorkerdRow } from './host/workerd-row.js';

const rows: Row[] = [];
for (const runtime of ['Node', 'Deno', 'Bun'] as const) {
  rows.push(await runNodeCompatRow(runtime, 'memory'));
}
rows.push(await runWorkerdRow());
for (const row of rows) console.log(JSON.stringify({ ...row, details: row.details.length }));
