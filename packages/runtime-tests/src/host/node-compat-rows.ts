/**
 * Conformance runs on Node, Deno and Bun: each runtime runs the same compiled harness
 * (`dist/harness/node-compat.js`) against the built packages, in memory and on files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseReportLine } from '../harness/result.js';
import { runChild, tail } from './child.js';
import { NODE_COMPAT_HARNESS, packageVersion, PACKAGE_DIR, resolveHere, runtimeBinary } from './paths.js';
import { failedRow, type Row } from './row.js';

export type NodeCompatRuntime = 'Node' | 'Deno' | 'Bun';
export type StoreKind = 'memory' | 'file';

const TIMEOUT_MS = 120_000;

/** uvu's colour detection reads these; the store itself reads no environment variable. */
const DENO_TEST_ENV = ['FORCE_COLOR', 'NODE_DISABLE_COLORS', 'NO_COLOR', 'TERM'];

/** The command line that runs the harness in `runtime`, with Deno's permissions kept narrow. */
export function harnessCommand(runtime: NodeCompatRuntime, kind: StoreKind, folder?: string): { command: string; args: string[] } {
  const harnessArgs = kind === 'memory' ? ['memory'] : ['file', folder as string];
  switch (runtime) {
    case 'Node':
      return { command: process.execPath, args: [NODE_COMPAT_HARNESS, ...harnessArgs] };
    case 'Bun':
      return { command: runtimeBinary('bun'), args: [NODE_COMPAT_HARNESS, ...harnessArgs] };
    case 'Deno': {
      // sql.js reads its .wasm with node:fs; file stores read and write their folder.
      const sqlJsDist = dirname(resolveHere('sql.js/dist/sql-wasm.wasm'));
      const read = [sqlJsDist, ...(folder === undefined ? [] : [folder])];
      const permissions = [`--allow-read=${read.join(',')}`, `--allow-env=${DENO_TEST_ENV.join(',')}`];
      if (folder !== undefined) permissions.push(...denoFilePermissions(folder));
      return { command: runtimeBinary('deno'), args: ['run', '--no-prompt', '--no-lock', ...permissions, NODE_COMPAT_HARNESS, ...harnessArgs] };
    }
  }
}

/**
 * What file persistence needs in Deno, beyond reading the folder: writing it; the host name,
 * which the lock file records so that only a lock left on this machine is checked for a dead
 * owner; and the user id, which Deno's `fs.accessSync` reads to answer whether the file is
 * writable.
 */
export function denoFilePermissions(folder: string): string[] {
  return [`--allow-write=${folder}`, '--allow-sys=hostname,uid'];
}

/** The version pinned in package.json, reported when the runtime never got to report its own. */
function pinnedVersion(runtime: NodeCompatRuntime): string {
  if (runtime === 'Node') return process.versions.node;
  return packageVersion(runtime === 'Deno' ? 'deno' : 'bun');
}

/** Runs the conformance suite in `runtime` on `kind` stores. */
export async function runNodeCompatRow(runtime: NodeCompatRuntime, kind: StoreKind): Promise<Row> {
  const what = `conformance ${kind === 'memory' ? ':memory:' : 'file'}`;
  const started = performance.now();
  const folder = kind === 'file' ? mkdtempSync(join(tmpdir(), `go-store-${runtime.toLowerCase()}-`)) : undefined;
  try {
    let command: { command: string; args: string[] };
    try {
      command = harnessCommand(runtime, kind, folder);
    } catch (error) {
      return failedRow(runtime, '?', what, performance.now() - started, [`missing: ${(error as Error).message}`]);
    }
    const child = await runChild(command.command, command.args, {
      cwd: PACKAGE_DIR,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeoutMs: TIMEOUT_MS,
    });
    const report = parseReportLine(child.stdout);
    const why: string[] = [];
    if (child.spawnError !== undefined) why.push(`could not start ${command.command}: ${child.spawnError.message}`);
    if (child.timedOut) why.push(`killed after ${TIMEOUT_MS / 1000} s`);
    if (report === undefined) {
      why.push(`no report from the harness (exit ${child.code ?? child.signal})`, tail(child.stdout), tail(child.stderr));
      return failedRow(runtime, pinnedVersion(runtime), what, child.durationMs, why);
    }
    const { total, passed, failed, skipped } = report;
    if (failed > 0) why.push(...report.failures);
    for (const rejection of report.unhandled ?? []) why.push(`unhandled rejection during the run:\n${rejection}`);
    if (child.code !== 0 && failed === 0) why.push(`exit ${child.code ?? child.signal} although every test passed`, tail(child.stderr));
    if (total === 0) why.push('no test ran');
    return {
      runtime,
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

