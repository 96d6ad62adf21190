/**
 * The parts of a D1 binding (`env.DB`) the store uses, declared structurally so that this
 * package's types resolve without `@cloudflare/workers-types`: a real binding satisfies them.
 */

/** A value bound to a D1 statement. */
export type D1Value = string | number | ArrayBuffer | Uint8Array | null;

/** A prepared D1 statement. */
export interface D1Statement {
  bind(...values: D1Value[]): D1Statement;
  /** The result rows, each an array of column values in select order. */
  raw<T = unknown[]>(): Promise<T[]>;
  /** Runs a statement; `meta.changes` is the number of rows it changed. */
  run(): Promise<{ meta: { changes: number } }>;
}

/** A D1 database binding. */
export interface D1DatabaseLike {
  prepare(query: string): D1Statement;
  /** Runs the statements in order as one transaction: all of them, or none. */
  batch(statements: D1Statement[]): Promise<unknown[]>;
  /** Runs parameterless SQL. */
  exec(query: string): Promise<unknown>;
}
