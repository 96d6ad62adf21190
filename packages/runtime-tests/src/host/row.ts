/**
 * One line of the runtimes table: a conformance run or an example, and how it went.
 */

export interface Row {
  /** `Node`, `Deno`, `Bun`, `workerd`. */
  runtime: string;
  /** The version the runtime reported (or the pinned one, if it never got that far). */
  version: string;
  /** What ran: `conformance :memory:`, `conformance file`, `examples/deno`, … */
  what: string;
  status: 'passed' | 'failed';
  /** Test counts, for conformance runs and the examples' checks. */
  counts?: { total: number; passed: number; failed: number; skipped: number };
  /** Wall time seen by the host, start-up included. */
  durationMs: number;
  /** Why it failed, or notes worth reading when it passed. */
  details: string[];
}

/** A row that failed before it could count anything. */
export function failedRow(runtime: string, version: string, what: string, durationMs: number, details: string[]): Row {
  return { runtime, version, what, status: 'failed', durationMs, details };
}
