/**
 * Which SQLite engine opens a store: the runtime's own (`'native'`), sql.js (`'sqljs'`), or the
 * native one wherever the runtime has it (`'auto'`, the default).
 */
import { InvalidArgumentError } from '@go-store/core';
import { loadNativeSqlite, type NativeSqlite } from './native/connection.js';

/** The `engine` option of `openStore`. */
export type Engine = 'auto' | 'native' | 'sqljs';

const ENGINES: readonly Engine[] = ['auto', 'native', 'sqljs'];

/** The engine chosen: the runtime's SQLite, or `'sqljs'`. */
type ChosenEngine = { kind: 'native'; sqlite: NativeSqlite } | { kind: 'sqljs' };

/**
 * Resolves the `engine` option. Rejects with `InvalidArgumentError` for an unknown engine, or
 * for `'native'` on a runtime without its own SQLite, naming what is needed.
 */
export async function chooseEngine(engine: unknown): Promise<ChosenEngine> {
  const wanted = engine ?? 'auto';
  if (!ENGINES.includes(wanted as Engine)) {
    throw new InvalidArgumentError(
      `openStore: engine must be 'auto', 'native' or 'sqljs', not ${typeof wanted === 'string' ? JSON.stringify(wanted) : typeof wanted}`,
    );
  }
  if (wanted === 'sqljs') return { kind: 'sqljs' };
  const sqlite = await loadNativeSqlite();
  if (sqlite !== undefined) return { kind: 'native', sqlite };
  if (wanted === 'auto') return { kind: 'sqljs' };
  throw new InvalidArgumentError(
    `openStore: engine 'native' needs the runtime's own SQLite — Node 22.13 or later (node:sqlite), Deno 2 or Bun — and ${runtimeName()} has none; use engine 'sqljs' or 'auto'`,
  );
}

function runtimeName(): string {
  const versions = process.versions as { node?: string; deno?: string; bun?: string };
  if (versions.deno !== undefined) return `Deno ${versions.deno}`;
  if (versions.bun !== undefined) return `Bun ${versions.bun}`;
  return `Node ${versions.node}`;
}
