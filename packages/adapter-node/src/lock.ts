/**
 * One owner per database file: a lock file (`<database>.gslock`) holding the owner's pid, plus a
 * registry of the files this process has open (so a second open here fails at once, whichever
 * copy of this module it goes through).
 *
 * The lock file is created atomically with its content (written beside it, then hard-linked
 * into place, which fails if it exists), so a live owner's lock is never seen empty. A lock
 * whose process has died (a crash, `kill -9`) is stale and is taken over; the recorded process
 * start time tells a dead owner from a new process that was given the same pid. Taking over is
 * serialised by a second, short-lived lock file (`.gslock.takeover`), so two processes that find
 * the same stale lock cannot both win.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { LockedError } from '@go-store/core';
import { readIfExists, removeIfExists } from './durable-fs.js';

/** A held lock. */
export interface FileLock {
  /** The lock file's path. */
  readonly path: string;
  /** Releases the lock; idempotent. */
  release(): void;
}

interface Owner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time (Linux clock ticks since boot), when the platform tells it. */
  readonly start?: string;
}

const REGISTRY_KEY = Symbol.for('@go-store/adapter-node/open-databases');
const host = globalThis as Record<symbol, Set<string> | undefined>;
host[REGISTRY_KEY] ??= new Set<string>();
const registry: Set<string> = host[REGISTRY_KEY];

/**
 * Takes the lock of the database at `database` (an absolute, resolved path), or throws
 * {@link LockedError} naming the file when another store, here or in a live process, owns it.
 * File-system errors (an unwritable directory) are thrown as they are, for the caller to word.
 */
export function acquireLock(database: string): FileLock {
  if (registry.has(database)) {
    throw new LockedError(`openStore: ${database}: already open in this process (close the other store first)`);
  }
  const path = `${database}.gslock`;
  const me = currentOwner();
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 8; attempt++) {
    if (createExclusive(path, content)) {
      registry.add(database);
      try {
        removeLeftovers(path);
      } catch {
        // Leftovers are harmless; the lock is taken and must not leak.
      }
      let held = true;
      return {
        path,
        release() {
          if (!held) return;
          held = false;
          registry.delete(database);
          try {
            // Only remove the file if it is still ours.
            if (readText(path) === content) removeIfExists(path);
          } catch {
            // Gone already: nothing to release.
          }
        },
      };
    }
    const seen = readText(path);
    if (seen === undefined) continue; // released meanwhile: try again
    const owner = parseOwner(seen);
    if (owner !== undefined && isAlive(owner)) {
      const where =
        owner.pid === process.pid ? 'another thread or module instance of this process' : `process ${owner.pid}`;
      throw new LockedError(`openStore: ${database}: locked by ${where} (lock file ${path})`);
    }
    breakStaleLock(database, path, seen, content);
  }
  throw new LockedError(
    `openStore: ${database}: could not take the lock file ${path} (other processes keep taking it)`,
  );
}

/**
 * Who holds the lock of the database at `database` (an absolute, resolved path), when a live
 * store of the sql.js engine does: `'this process'` or `'process <pid>'`; otherwise `undefined`.
 * The native engine asks, because the sql.js engine replaces the file as a whole.
 */
export function lockHolder(database: string): string | undefined {
  if (registry.has(database)) return 'this process';
  const seen = readText(`${database}.gslock`);
  const owner = seen === undefined ? undefined : parseOwner(seen);
  if (owner === undefined || !isAlive(owner)) return undefined;
  return owner.pid === process.pid ? 'this process' : `process ${owner.pid}`;
}

/** Creates `path` holding `content`, atomically; false when it already exists. */
function createExclusive(path: string, content: string): boolean {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(temp, content, { flag: 'wx' });
  try {
    fs.linkSync(temp, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    // No hard links on this file system: exclusive create, then write (briefly empty).
    try {
      fs.writeFileSync(path, content, { flag: 'wx' });
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err2;
    }
  } finally {
    removeIfExists(temp);
  }
}

function breakStaleLock(database: string, path: string, seen: string, content: string): void {
  const takeover = `${path}.takeover`;
  if (!createExclusive(takeover, content)) {
    const other = readText(takeover);
    const owner = other === undefined ? undefined : parseOwner(other);
    if (owner !== undefined && isAlive(owner)) {
      throw new LockedError(`openStore: ${database}: process ${owner.pid} is taking over its stale lock file ${path}`);
    }
    // A recoverer died mid-takeover: clear its marker and start again.
    if (other !== undefined && readText(takeover) === other) removeIfExists(takeover);
    return;
  }
  try {
    if (readText(path) === seen) removeIfExists(path);
  } finally {
    removeIfExists(takeover);
  }
}

/** The file's text, or `undefined` when it does not exist. */
function readText(path: string): string | undefined {
  const bytes = readIfExists(path);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

function parseOwner(text: string): Owner | undefined {
  try {
    const value = JSON.parse(text) as Partial<Owner>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    if (typeof value.host !== 'string') return undefined;
    return { pid: value.pid, host: value.host, start: typeof value.start === 'string' ? value.start : undefined };
  } catch {
    // Unreadable content can only come from a crash of the machine while the lock was being
    // written (live owners write it atomically): the owner is gone.
    return undefined;
  }
}

function currentOwner(): Owner {
  const start = processStart(process.pid);
  return start === undefined
    ? { pid: process.pid, host: os.hostname() }
    : { pid: process.pid, host: os.hostname(), start };
}

/** Linux: the process's start time and whether it is a zombie, from /proc; otherwise undefined. */
function procStat(pid: number): { start: string; zombie: boolean } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may itself contain spaces and parentheses).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: fields[19], zombie: fields[0] === 'Z' || fields[0] === 'X' };
  } catch {
    return undefined;
  }
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

function isAlive(owner: Owner): boolean {
  // A lock from another machine (a shared file system) cannot be checked: respect it.
  if (owner.host !== os.hostname()) return true;
  if (!pidExists(owner.pid)) return false;
  const stat = procStat(owner.pid);
  // Where /proc exists, a pid without an entry has just exited (the pid may have been lent
  // to a short-lived process or thread meanwhile); elsewhere trust kill().
  if (stat === undefined) return !procReadable();
  if (stat.zombie) return false;
  return owner.start === undefined || owner.start === stat.start;
}

/**
 * Removes what processes killed while taking a lock left behind, once they are gone: temporary
 * files (`<lock>.<pid>.<random>`, `<lock>.takeover.<pid>.<random>`) and a takeover marker.
 * Best effort: the caller ignores what it throws (the lock is taken either way).
 */
function removeLeftovers(lockPath: string): void {
  const takeover = readText(`${lockPath}.takeover`);
  if (takeover !== undefined) {
    const owner = parseOwner(takeover);
    if (owner === undefined || !isAlive(owner)) removeIfExists(`${lockPath}.takeover`);
  }
  const dir = nodePath.dirname(lockPath);
  const prefix = `${nodePath.basename(lockPath)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(?:takeover\.)?(\d+)\.[a-z0-9]+$/.exec(name.slice(prefix.length));
    if (match === null) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || pidExists(pid)) continue;
    try {
      removeIfExists(nodePath.join(dir, name));
    } catch {
      // Best effort: try the others.
    }
  }
}

/**
 * Whether a process with this pid exists. Only ESRCH means it does not: any other failure
 * (EPERM, or Deno refusing `kill` without `--allow-run`) must not let a live owner's lock be
 * taken over.
 */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether this process can read /proc (Linux, and not refused by Deno's permissions). */
function procReadable(): boolean {
  try {
    return fs.existsSync('/proc/self/stat');
  } catch {
    return false;
  }
}
