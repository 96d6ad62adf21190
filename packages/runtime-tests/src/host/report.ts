/**
 * Prints the runtimes table, the details of what failed, and a closing count line.
 */
import type { Row } from './row.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Enough of a failure to act on: the first lines of the first few details of a row. */
const MAX_DETAILS = 4;
const MAX_LINES_PER_DETAIL = 30;

function excerpt(details: readonly string[]): string[] {
  const shown = details.slice(0, MAX_DETAILS).map((detail) => {
    const lines = detail.trimEnd().split('\n');
    return lines.length <= MAX_LINES_PER_DETAIL
      ? lines.join('\n')
      : [...lines.slice(0, MAX_LINES_PER_DETAIL), `… ${lines.length - MAX_LINES_PER_DETAIL} more lines`].join('\n');
  });
  if (details.length > MAX_DETAILS) shown.push(`… and ${details.length - MAX_DETAILS} more`);
  return shown;
}

export function printReport(rows: readonly Row[], totalMs: number): void {
  const header = ['runtime', 'version', 'what', 'tests', 'passed', 'failed', 'skipped', 'time', ''];
  const lines = rows.map((row) => [
    row.runtime,
    row.version,
    row.what,
    String(row.counts?.total ?? '-'),
    String(row.counts?.passed ?? '-'),
    String(row.counts?.failed ?? '-'),
    String(row.counts?.skipped ?? '-'),
    seconds(row.durationMs),
    row.status === 'passed' ? 'ok' : 'FAILED',
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...lines].map((line) => (line[column] as string).length)),
  );
  const numeric = new Set([3, 4, 5, 6, 7]);
  const format = (line: string[]) =>
    `  ${line.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number))).join('  ')}`.trimEnd();

  console.log('\nRuntimes: the conformance suite and the examples, on the built packages\n');
  console.log(format(header));
  for (const line of lines) console.log(format(line));

  for (const row of rows.filter((r) => r.status === 'failed')) {
    console.log(`\n✘ ${row.runtime} ${row.version} — ${row.what}`);
    for (const detail of excerpt(row.details)) console.log(detail.replace(/^/gm, '    '));
  }

  const runtimes = [...new Set(rows.map((row) => row.runtime))];
  const failedRows = rows.filter((row) => row.status === 'failed').length;
  const passed = rows.reduce((sum, row) => sum + (row.counts?.passed ?? 0), 0);
  // A row can fail with every test passed (an unhandled rejection, a bad exit): it counts once.
  const failed = rows.reduce((sum, row) => sum + Math.max(row.counts?.failed ?? 0, row.status === 'failed' ? 1 : 0), 0);
  console.log(
    `\nruntimes: ${rows.length - failedRows} of ${rows.length} runs passed on ${runtimes.join(', ')} in ${seconds(totalMs)}` +
      (failedRows > 0 ? ` — ${failedRows} FAILED` : ''),
  );
  console.log(`${passed} passed, ${failed} failed`);
}
