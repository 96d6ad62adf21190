/**
 * What a runtime reports back to the host: the counts of one conformance run, as JSON on a
 * marked line of its output (Node, Deno, Bun) or as a response body (workerd).
 */

/** The counts of one run of the conformance suite. */
export interface SuiteResult {
  /** Tests that ran (uvu's "Total"). */
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Suites (areas) that ran. */
  suites: number;
  /** Wall time of the run inside the runtime, in ms. */
  durationMs: number;
  /** uvu's report of each failing suite, without colour codes. */
  failures: string[];
}

/** A {@link SuiteResult} with the runtime's own word on what it is. */
export interface RuntimeReport extends SuiteResult {
  /** `Node`, `Deno`, `Bun` or `workerd`. */
  runtime: string;
  /** The version the runtime reports about itself. */
  version: string;
  /** Promise rejections that nothing handled during the run (each one fails the run). */
  unhandled?: string[];
}

/** Prefixes the line that carries a {@link RuntimeReport} in a runtime's output. */
export const REPORT_MARKER = '@@go-store-runtime-report@@ ';

/** Finds the last report line in a runtime's output. */
export function parseReportLine(output: string): RuntimeReport | undefined {
  const at = output.lastIndexOf(REPORT_MARKER);
  if (at < 0) return undefined;
  const end = output.indexOf('\n', at);
  return JSON.parse(output.slice(at + REPORT_MARKER.length, end < 0 ? undefined : end)) as RuntimeReport;
}
