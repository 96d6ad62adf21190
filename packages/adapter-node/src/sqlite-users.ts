/**
 * Whether an SQLite program (the native engine, `sqlite3`, go-store) has a database open right
 * now, from the POSIX locks SQLite holds while a connection is open: on the `-shm` file in WAL
 * mode (for the connection's whole life) and on the database file itself.
 *
 * Linux lists every such lock in `/proc/locks`; elsewhere, or where reading it is not allowed
 * (Deno without read access to `/proc`), this cannot be known and the answer is `undefined`.
 */
import * as fs from 'node:fs';

/** The ids of the processes holding SQLite locks on `database` or its `-shm`, or `undefined` when unknowable. */
export function sqliteUsers(database: string): number[] | undefined {
  let table: string;
  try {
    table = fs.readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  const files = [database, `${database}-shm`].map(identity).filter((id) => id !== undefined);
  if (files.length === 0) return [];
  const pids = new Set<number>();
  // "1: POSIX  ADVISORY  READ 18161 fe:00:2146641 128 128" (OFD locks show pid -1).
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const at = fields.findIndex((field) => /^[0-9a-f]+:[0-9a-f]+:\d+$/.test(field));
    if (at < 1 || !files.includes(fields[at])) continue;
    pids.add(Number(fields[at - 1]));
  }
  return [...pids];
}

/** A file's device and inode as `/proc/locks` writes them (`major:minor:inode`, hex device numbers). */
function identity(path: string): string | undefined {
  let stat: fs.BigIntStats;
  try {
    stat = fs.statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
  const dev = stat.dev;
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${stat.ino}`;
}
