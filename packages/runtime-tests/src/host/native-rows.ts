/**
 * The native engine across processes, in one runtime: two processes writing one file lose
 * nothing; a shared scope's maxKeys holds exactly across them; `sqlite3` reads a write while the
 * store is open; kill -9 during acknowledged writes loses none (20 rounds, integrity_check ok);
 * and switching engines on one file loses nothing, both ways, including after a kill -9.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Checks } from './checks.js';
import { QUIET_ENV, runChild, startChild, tail } from './child.js';
import { type NodeCompatRuntime, pinnedVersion, runtimeCommand } from './node-compat-rows.js';
import { NATIVE_PROCESSES, PACKAGE_DIR } from './paths.js';
import type { Row } from './row.js';

const TIMEOUT_MS = 60_000;
const KILL_ROUNDS = 20;

export async function runNativeProcessesRow(runtime: NodeCompatRuntime): Promise<Row> {
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), `go-store-native-${runtime.replace(' ', '').toLowerCase()}-`));
  const checks = new Checks();
  const command = (args: string[]) => runtimeCommand(runtime, NATIVE_PROCESSES, args, { folder, lockOwners: true });
  const run = async (args: string[]): Promise<Record<string, unknown> | string> => {
    const { command: program, args: full } = command(args);
    const child = await runChild(program, full, { cwd: PACKAGE_DIR, env: QUIET_ENV, timeoutMs: TIMEOUT_MS });
    try {
      return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
    } catch {
      return `exit ${child.code ?? child.signal}\n${tail(child.stdout, 10)}\n${tail(child.stderr, 10)}`;
    }
  };
  const sqlite3 = async (database: string, sql: string): Promise<string> => {
    const child = await runChild('sqlite3', [database, sql], { env: QUIET_ENV, timeoutMs: TIMEOUT_MS });
    if (child.code !== 0) throw new Error(`sqlite3 ${sql}: exit ${child.code ?? child.signal}: ${child.stderr}`);
    return child.stdout.trim();
  };
  /** Starts an `ack` writer, kills it (SIGKILL) once it acknowledged `atLeast` writes; the acknowledged numbers. */
  const killAfterAcks = async (database: string, engine: string, atLeast: number): Promise<number[]> => {
    const { command: program, args } = command(['ack', database, engine]);
    const writer = startChild(program, args, { cwd: PACKAGE_DIR, env: QUIET_ENV });
    try {
      await writer.until(new RegExp(`^ack ${atLeast}$`, 'm'), TIMEOUT_MS);
    } finally {
      await writer.stop('SIGKILL');
    }
    return [...writer.output().matchAll(/^ack (\d+)$/gm)].map((match) => Number(match[1]));
  };
  const missing = (acked: readonly number[], present: Record<string, unknown>) =>
    acked.filter((n) => present[`k${n}`] !== `v${n}`);

  try {
    await checks.step('two processes writing one file at once lose nothing', async () => {
      const database = join(folder, 'writers.db');
      const results = await Promise.all([run(['write', database, 'a', '400']), run(['write', database, 'b', '400'])]);
      for (const result of results) {
        if (typeof result === 'string') throw new Error(result);
        if (JSON.stringify(result.inMemory) !== '[false,true]')
          throw new Error(`store.inMemory: file, :memory: = ${JSON.stringify(result.inMemory)}; expected false, true`);
      }
      const count = await sqlite3(database, "SELECT count(*) FROM kv WHERE grp = 'writers'");
      if (count !== '800') throw new Error(`expected 800 keys, found ${count}`);
    });

    await checks.step("a shared scope's maxKeys holds exactly across two processes", async () => {
      const database = join(folder, 'quota.db');
      const results = await Promise.all([run(['quota', database, 'a', '100']), run(['quota', database, 'b', '100'])]);
      let stored = 0;
      for (const result of results) {
        if (typeof result === 'string') throw new Error(result);
        stored += Number(result.stored);
      }
      const count = await sqlite3(database, "SELECT count(*) FROM kv WHERE grp = 'shared:tenant'");
      if (stored !== 50 || count !== '50')
        throw new Error(`stored ${stored} (acknowledged), ${count} in the file; expected 50`);
    });

    await checks.step('sqlite3 reads a write while the store that made it is open', async () => {
      const database = join(folder, 'open.db');
      const { command: program, args } = command(['hold', database]);
      const holder = startChild(program, args, { cwd: PACKAGE_DIR, env: QUIET_ENV });
      try {
        await holder.until(/^holding$/m, TIMEOUT_MS);
        const value = await sqlite3(database, "SELECT value FROM kv WHERE grp = 'visible' AND key = 'key'");
        if (value !== 'written while open') throw new Error(`sqlite3 read ${JSON.stringify(value)}`);
      } finally {
        await holder.stop('SIGKILL');
      }
    });

    await checks.step(
      `kill -9 during acknowledged writes loses none (${KILL_ROUNDS} rounds, integrity_check ok)`,
      async () => {
        const database = join(folder, 'killed.db');
        for (let round = 0; round < KILL_ROUNDS; round++) {
          const acked = await killAfterAcks(database, 'native', 20 + ((round * 37) % 200));
          const integrity = await sqlite3(database, 'PRAGMA integrity_check');
          if (integrity !== 'ok') throw new Error(`round ${round}: integrity_check: ${integrity}`);
          const rows = await sqlite3(database, "SELECT key || '=' || value FROM kv WHERE grp = 'ack'");
          const present = Object.fromEntries(rows.split('\n').map((line) => line.split('=')));
          const lost = missing(acked, present);
          if (lost.length > 0)
            throw new Error(`round ${round}: ${lost.length} of ${acked.length} acknowledged writes lost`);
        }
      },
    );

    await checks.step(
      'sql.js → native: a sidecar log left by kill -9 is applied on the first native open, then removed',
      async () => {
        const database = join(folder, 'switch.db');
        const acked = await killAfterAcks(database, 'sqljs', 100);
        if (!existsSync(`${database}.gslog`)) throw new Error('the sql.js engine left no log to apply');
        const dump = await run(['dump', database, 'native']);
        if (typeof dump === 'string') throw new Error(dump);
        const lost = missing(acked, dump);
        if (lost.length > 0) throw new Error(`${lost.length} of ${acked.length} acknowledged writes lost`);
        if (existsSync(`${database}.gslog`)) throw new Error('the log is still there after the native open');
      },
    );

    await checks.step(
      'native → sql.js: writes in the -wal left by kill -9 open with sql.js, and back again',
      async () => {
        const database = join(folder, 'switch-back.db');
        const acked = await killAfterAcks(database, 'native', 100);
        if (!existsSync(`${database}-wal`)) throw new Error('the native engine left no -wal file');
        const bySqlJs = await run(['dump', database, 'sqljs']);
        if (typeof bySqlJs === 'string') throw new Error(bySqlJs);
        const lost = missing(acked, bySqlJs);
        if (lost.length > 0) throw new Error(`${lost.length} of ${acked.length} acknowledged writes lost`);
        const byNative = await run(['dump', database, 'native']);
        if (typeof byNative === 'string') throw new Error(byNative);
        if (JSON.stringify(byNative) !== JSON.stringify(bySqlJs))
          throw new Error('the native engine reads something else');
      },
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return {
    runtime: runtime.startsWith('Node') ? 'Node' : runtime,
    version: pinnedVersion(runtime),
    what: 'native across processes',
    status: checks.failures.length === 0 ? 'passed' : 'failed',
    counts: checks.counts(),
    durationMs: performance.now() - started,
    details: checks.failures,
  };
}
