/**
 * Conformance runs on Node, Deno and Bun: each runtime runs the same compiled harness
 * (`dist/harness/node-compat.js`) against the built packages, in memory and on files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseReportLine } from '../harness/result.js';
import { QUIET_ENV, runChild, tail } from './child.js';
import { NODE_COMPAT_HARNESS, PACKAGE_DIR, packageVersion, resolveHere, runtimeBinary } from './paths.js';
import { failedRow, type Row } from './row.js';

/** `Node` is the Node that runs the host (20, this machine's); `Node 22` and `Node 24` come from the registry. */
export type NodeCompatRuntime = 'Node' | 'Node 22' | 'Node 24' | 'Deno' | 'Bun';
type StoreKind = 'memory' | 'file';
/** The engine a run asks `openStore` for. */
export type EngineName = 'native' | 'sqljs';

const TIMEOUT_MS = 120_000;

/** uvu's colour detection reads these; the store itself reads no environment variable. */
const DENO_TEST_ENV = ['FORCE_COLOR', 'NODE_DISABLE_COLORS', 'NO_COLOR', 'TERM'];

/** What a run may touch beyond reading sql.js's `.wasm`. */
interface Access {
  /** A folder of database files to read and write. */
  folder?: string;
  /** Whether the store must be able to ask if another process that holds a lock is alive. */
  lockOwners?: boolean;
}

/** The command line that runs a compiled harness script in `runtime`, with Deno's permissions kept narrow. */
export function runtimeCommand(
  runtime: NodeCompatRuntime,
  script: string,
  scriptArgs: readonly string[],
  access: Access = {},
): { command: string; args: string[] } {
  switch (runtime) {
    case 'Node':
      return { command: process.execPath, args: [script, ...scriptArgs] };
    case 'Node 22':
      // Node 22's node:sqlite still prints an ExperimentalWarning; the run's output is ours.
      return {
        command: runtimeBinary('node22'),
        args: ['--disable-warning=ExperimentalWarning', script, ...scriptArgs],
      };
    case 'Node 24':
      return { command: runtimeBinary('node24'), args: [script, ...scriptArgs] };
    case 'Bun':
      return { command: runtimeBinary('bun'), args: [script, ...scriptArgs] };
    case 'Deno':
      return {
        command: runtimeBinary('deno'),
        args: ['run', '--no-prompt', '--no-lock', ...denoPermissions(access), script, ...scriptArgs],
      };
  }
}

/**
 * Deno's permissions for a run: read sql.js's `.wasm` (it loads it with `node:fs`); for files,
 * read and write their folder, and know the host name (recorded in the lock file, so that only a
 * lock left on this machine is checked for a dead owner) and the user id (Deno's
 * `fs.accessSync` reads it to answer whether the file is writable); to check whether a lock's
 * owner is alive, `--allow-run` (Deno's `process.kill(pid, 0)` needs it) and reading `/proc`
 * (the owner's start time, so that a recycled process id is not mistaken for the owner).
 * uvu's colour detection reads a few environment variables; the store itself reads none.
 */
function denoPermissions(access: Access): string[] {
  const read = [
    dirname(resolveHere('sql.js/dist/sql-wasm.wasm')),
    ...(access.folder === undefined ? [] : [access.folder]),
    ...(access.lockOwners === true ? ['/proc'] : []),
  ];
  const permissions = [`--allow-read=${read.join(',')}`, `--allow-env=${DENO_TEST_ENV.join(',')}`];
  if (access.folder !== undefined) permissions.push(`--allow-write=${access.folder}`, '--allow-sys=hostname,uid');
  if (access.lockOwners === true) permissions.push('--allow-run');
  return permissions;
}

/** The version pinned in package.json, reported when the runtime never got to report its own. */
export function pinnedVersion(runtime: NodeCompatRuntime): string {
  if (runtime === 'Node') return process.versions.node;
  const names = { 'Node 22': 'node22', 'Node 24': 'node24', Deno: 'deno', Bun: 'bun' } as const;
  return packageVersion(names[runtime]);
}

/** Runs the conformance suite in `runtime` with `engine` on `kind` stores. */
export async function runNodeCompatRow(runtime: NodeCompatRuntime, engine: EngineName, kind: StoreKind): Promise<Row> {
  const what = `conformance ${engine} ${kind === 'memory' ? ':memory:' : 'file'}`;
  const started = performance.now();
  const folder = kind === 'file' ? mkdtempSync(join(tmpdir(), `go-store-${runtime.toLowerCase()}-`)) : undefined;
  try {
    let command: { command: string; args: string[] };
    try {
      const scriptArgs = folder === undefined ? [engine, 'memory'] : [engine, 'file', folder];
      command = runtimeCommand(runtime, NODE_COMPAT_HARNESS, scriptArgs, folder === undefined ? {} : { folder });
    } catch (error) {
      return failedRow(runtime, '?', what, performance.now() - started, [`missing: ${(error as Error).message}`]);
    }
    const child = await runChild(command.command, command.args, {
      cwd: PACKAGE_DIR,
      env: QUIET_ENV,
      timeoutMs: TIMEOUT_MS,
    });
    const report = parseReportLine(child.stdout);
    const why: string[] = [];
    if (child.spawnError !== undefined) why.push(`could not start ${command.command}: ${child.spawnError.message}`);
    if (child.timedOut) why.push(`killed after ${TIMEOUT_MS / 1000} s`);
    if (report === undefined) {
      why.push(
        `no report from the harness (exit ${child.code ?? child.signal})`,
        tail(child.stdout),
        tail(child.stderr),
      );
      return failedRow(
        runtime.startsWith('Node') ? 'Node' : runtime,
        pinnedVersion(runtime),
        what,
        child.durationMs,
        why,
      );
    }
    const { total, passed, failed, skipped } = report;
    if (failed > 0) why.push(...report.failures);
    for (const rejection of report.unhandled ?? []) why.push(`unhandled rejection during the run:\n${rejection}`);
    if (child.code !== 0 && failed === 0)
      why.push(`exit ${child.code ?? child.signal} although every test passed`, tail(child.stderr));
    if (total === 0) why.push('no test ran');
    return {
      runtime: runtime.startsWith('Node') ? 'Node' : runtime,
      version: report.version,
      what,
      status: why.length === 0 ? 'passed' : 'failed',
      counts: { total, passed, failed, skipped },
      durationMs: child.durationMs,
      details: why,
    };
  } finally {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  }
}
