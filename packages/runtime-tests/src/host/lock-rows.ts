/**
 * One database file, two processes of the same runtime (docs/persistence.md): while a store holds the file
 * another process is refused with LOCKED; once the holder is killed with SIGKILL its lock is
 * stale and the next open takes over, with the holder's acknowledged write intact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checks } from './checks.js';
import { QUIET_ENV, runChild, startChild, tail } from './child.js';
import { type NodeCompatRuntime, pinnedVersion, runtimeCommand } from './node-compat-rows.js';
import { LOCK_HOLDER, PACKAGE_DIR } from './paths.js';
import { failedRow, type Row } from './row.js';

const TIMEOUT_MS = 30_000;

interface OpenOutcome {
  outcome: 'opened' | 'refused';
  owner?: string;
  code?: string;
  message?: string;
}

export async function runLockRow(runtime: NodeCompatRuntime): Promise<Row> {
  const what = 'locks across processes';
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), `go-store-lock-${runtime.toLowerCase()}-`));
  const database = join(folder, 'shared.db');
  const checks = new Checks();
  const command = (mode: 'hold' | 'open', lockOwners = true) =>
    runtimeCommand(runtime, LOCK_HOLDER, [mode, database], { folder, lockOwners });
  const open = async (lockOwners = true): Promise<OpenOutcome | string> => {
    const { command: program, args } = command('open', lockOwners);
    const child = await runChild(program, args, { cwd: PACKAGE_DIR, env: QUIET_ENV, timeoutMs: TIMEOUT_MS });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as OpenOutcome;
    } catch {
      return `exit ${child.code ?? child.signal}\n${tail(child.stdout, 10)}\n${tail(child.stderr, 10)}`;
    }
  };
  try {
    let holdCommand: { command: string; args: string[] };
    try {
      holdCommand = command('hold');
    } catch (error) {
      return failedRow(runtime, '?', what, performance.now() - started, [`missing: ${(error as Error).message}`]);
    }
    const holder = startChild(holdCommand.command, holdCommand.args, { cwd: PACKAGE_DIR, env: QUIET_ENV });
    try {
      await holder.until(/^holding$/m, TIMEOUT_MS);
      const second = await open();
      checks.ok(
        'while one process holds the file, another is refused with LOCKED naming the file',
        typeof second === 'object' &&
          second.outcome === 'refused' &&
          second.code === 'LOCKED' &&
          (second.message ?? '').includes(database),
        JSON.stringify(second),
      );
      if (runtime === 'Deno') {
        // Without --allow-run Deno cannot ask whether the holder is alive: the store must then
        // respect the lock (refuse), never take over a live process's file.
        const blind = await open(false);
        checks.ok(
          'without --allow-run, a live holder is still respected (the open is refused, never taken over)',
          typeof blind === 'object' && blind.outcome === 'refused',
          JSON.stringify(blind),
        );
      }
    } catch (error) {
      checks.ok('the holder opens the file', false, (error as Error).message);
    } finally {
      await holder.stop('SIGKILL');
    }
    const third = await open();
    checks.ok(
      'after the holder is killed (SIGKILL), its stale lock is taken over and its acknowledged write is there',
      typeof third === 'object' && third.outcome === 'opened' && third.owner === String(holder.pid),
      `${JSON.stringify(third)}; the holder was process ${holder.pid}`,
    );
    const fourth = await open();
    checks.ok(
      'a clean close releases the lock',
      typeof fourth === 'object' && fourth.outcome === 'opened',
      JSON.stringify(fourth),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return {
    runtime,
    version: pinnedVersion(runtime),
    what,
    status: checks.failures.length === 0 ? 'passed' : 'failed',
    counts: checks.counts(),
    durationMs: performance.now() - started,
    details: checks.failures,
  };
}
