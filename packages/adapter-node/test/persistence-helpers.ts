/**
 * Shared by the persistence tests: loading the built file driver, stores on files, temporary
 * directories, the `sqlite3` CLI, and child processes that talk in lines on stdout.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type OpenOptions, openStore, type Store } from '@go-store/adapter-node';
import type * as Crc32Module from '../dist/crc32.js';
import type * as LogFormatModule from '../dist/log-format.js';
import type * as LogScanModule from '../dist/log-scan.js';
import type * as SnapshotThreadModule from '../dist/snapshot-thread.js';
import type * as WalImportModule from '../dist/wal-import.js';

/** A module of the built adapter, by file name (for internals its exports map does not list). */
async function adapterModule<T>(file: string): Promise<T> {
  const entry = import.meta.resolve('@go-store/adapter-node');
  return (await import(new URL(`./${file}`, entry).href)) as T;
}

export const loadLogFormat = (): Promise<typeof LogFormatModule> => adapterModule('log-format.js');
export const loadLogScan = (): Promise<typeof LogScanModule> => adapterModule('log-scan.js');

/** What the log's bytes hold: its summary, and every intact record from the header on. */
export async function readLog(bytes: Uint8Array) {
  const { bytesSource, readRecords, scanLog } = await loadLogScan();
  const source = bytesSource(bytes);
  const summary = scanLog(source);
  const start = typeof summary.header === 'string' ? 0 : summary.header.length;
  return { ...summary, records: [...readRecords(source, start, Math.max(start, summary.validEnd))] };
}
export const loadWalImport = (): Promise<typeof WalImportModule> => adapterModule('wal-import.js');
export const loadCrc32 = (): Promise<typeof Crc32Module> => adapterModule('crc32.js');
export const loadSnapshotThread = (): Promise<typeof SnapshotThreadModule> => adapterModule('snapshot-thread.js');

/**
 * What a crash would leave: copies the database and its log (as they are on disk right now,
 * with the store still open) to `name` in a new directory, and returns the copy's path.
 */
export function crashCopy(db: string, name = 'copy.db'): string {
  const dir = tempDir('crash-copy');
  const target = nodePath.join(dir, name);
  for (const suffix of ['', '.gslog', '.gstmp', '-wal', '-shm']) {
    if (fs.existsSync(db + suffix)) fs.copyFileSync(db + suffix, target + suffix);
  }
  return target;
}

/** `openStore(path, options)`, with the purge timer off unless asked for. */
export function openFileStore(path: string, options: OpenOptions = {}): Promise<Store> {
  return openStore(path, { purgeIntervalMs: 0, ...options });
}

/** The go-store table. */
export const CREATE_KV =
  'CREATE TABLE IF NOT EXISTS kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))';
export const UPSERT =
  'INSERT INTO kv (grp, key, value, expires_at) VALUES (?, ?, ?, NULL) ON CONFLICT (grp, key) DO UPDATE SET value = excluded.value, expires_at = NULL';

/** Key `k` of the writer stream, zero-padded so key order is numeric order. */
export function writerKey(k: number): string {
  return `k${String(k).padStart(7, '0')}`;
}

/** The value the writer of round `round` gives key `k`. */
export function writerValue(k: number, round: number): string {
  return `value ${k} round ${round} ${'x'.repeat(k % 61)}`;
}

const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system's temporary directory, removed when the process exits. */
export function tempDir(name: string): string {
  const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), `go-store-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** The fixtures directory (in the source tree: fixtures are not compiled). */
export const FIXTURES = nodePath.resolve(
  fileURLToPath(import.meta.url),
  '../../../../../packages/adapter-node/test/fixtures',
);

/** Runs the `sqlite3` CLI on `db`; returns its stdout, trimmed. */
export function sqlite3(db: string, sql: string): string {
  const result = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (result.error)
    throw new Error(`sqlite3 is needed by these tests (Debian package sqlite3): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`sqlite3 ${db} ${JSON.stringify(sql)} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** Every file in `dir`, sorted. */
export function listDir(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

const CHILD = fileURLToPath(new URL('./persistence-child.js', import.meta.url));

/** Whether a process running as `uid` can read the child script (and so run it). */
export function canRunChildAs(uid: number): boolean {
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CHILD)}, 4)`], {
    uid,
    gid: uid,
  });
  return probe.status === 0;
}

/** A child process running `persistence-child.js`, read line by line. */
export class Child {
  readonly process: ChildProcess;
  readonly lines: string[] = [];
  /** Resolves once the process has exited and its output has been read to the end. */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';
  #waiters: Array<{
    match: (line: string) => boolean;
    resolve: (line: string) => void;
    reject: (error: Error) => void;
  }> = [];
  #onLineHook: ((line: string) => void) | undefined;

  constructor(args: readonly string[], options: SpawnOptions = {}) {
    this.process = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const rl = createInterface({ input: this.process.stdout! });
    rl.on('line', (line) => {
      this.lines.push(line);
      this.#onLineHook?.(line);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    this.closed = new Promise((resolve) => {
      this.process.on('close', (code, signal) => {
        for (const w of this.#waiters)
          w.reject(new Error(`child exited (${code ?? signal}) before the expected line; stderr: ${this.#stderr}`));
        this.#waiters = [];
        resolve({ code, signal });
      });
    });
  }

  /** Calls `hook` on every line as it arrives (to act at once, e.g. kill). */
  onLine(hook: (line: string) => void): void {
    this.#onLineHook = hook;
  }

  /** The first line (already read or still to come) that `match` accepts. */
  waitFor(match: (line: string) => boolean, guardMs = 30_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      // A guard against a hung test, not a synchronisation.
      const guard = setTimeout(
        () => reject(new Error(`no matching line within ${guardMs} ms; stderr: ${this.#stderr}`)),
        guardMs,
      );
      this.#waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(guard);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(guard);
          reject(error);
        },
      });
    });
  }

  /** SIGKILLs the child and waits until it is gone and its output read. */
  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.closed;
  }

  /** What the child wrote to stderr. */
  get errors(): string {
    return this.#stderr;
  }
}

/** Waits for a child's exit, failing (and killing it) if it takes longer than `guardMs`. */
export async function exitWithin(
  child: Child,
  guardMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const start = performance.now();
  let guard: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    guard = setTimeout(() => {
      child.process.kill('SIGKILL');
      reject(new Error(`the child did not exit within ${guardMs} ms`));
    }, guardMs);
  });
  try {
    const result = await Promise.race([child.closed, timeout]);
    return { ...result, ms: performance.now() - start };
  } finally {
    clearTimeout(guard);
  }
}

/** A deterministic pseudo-random generator (so a failing round can be replayed). */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

/**
 * Wraps `node:fs`'s synchronous `name` (for every ES module that imports `node:fs`, the
 * adapter's included) so that `hook` sees each call before it runs; `hook` may throw to make the
 * call fail. Returns the function that restores the original.
 */
export function wrapFs(
  name: 'fsyncSync' | 'fdatasyncSync' | 'writeSync' | 'renameSync',
  hook: (...args: unknown[]) => void,
): () => void {
  const cjs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const original = cjs[name] as (...args: unknown[]) => unknown;
  cjs[name] = (...args: unknown[]): unknown => {
    hook(...args);
    return original(...args);
  };
  syncBuiltinESMExports();
  return () => {
    cjs[name] = original;
    syncBuiltinESMExports();
  };
}

/**
 * Mounts a fresh tmpfs of `bytes` (a small disk that fills up) and returns its directory, or
 * returns `undefined` after printing why when this process may not mount (it needs root; CI
 * runs as root). Unmount it with {@link unmountTmpfs}.
 */
export function mountTmpfs(name: string, bytes: number): string | undefined {
  const dir = tempDir(name);
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim();
    console.log(`\n  SKIPPED (${name}): cannot mount a tmpfs to fill a disk (${why}); this test needs root`);
    return undefined;
  }
  return dir;
}

/** Resizes a tmpfs from {@link mountTmpfs} (to give a full disk room again). */
export function resizeTmpfs(dir: string, bytes: number): void {
  const result = spawnSync('mount', ['-o', `remount,size=${bytes}`, dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot resize the tmpfs at ${dir}: ${result.stderr}`);
}

/** Unmounts a tmpfs from {@link mountTmpfs}. */
export function unmountTmpfs(dir: string): void {
  const result = spawnSync('umount', [dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cannot unmount ${dir}: ${result.stderr}`);
}

/** What `promise` rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
