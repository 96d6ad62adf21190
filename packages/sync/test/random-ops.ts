/**
 * The seeded random writes of the convergence tests, as plain data, so the same operation runs
 * on a Node store or, sent through Playwright, on a browser store (the test page bundles this
 * file too).
 */
import type { Store } from '@go-store/core';

export const GROUPS = ['a:g1', 'a:g2', 'b:g1', 'b:g2', 'local'];
export const KEYS = ['k0', 'k1', 'k2', 'k3'];

type Entry = [group: string, key: string];

/** One random write. */
export type Op =
  | { kind: 'set'; at: Entry; value: string }
  | { kind: 'setWithTTL'; at: Entry; value: string; ttlMs: number }
  | { kind: 'delete'; at: Entry }
  | { kind: 'deleteGroup'; group: string }
  | { kind: 'setMany'; group: string; entries: [string, string][]; ttlMs: number | null }
  | { kind: 'transaction'; set: Entry; delete: Entry; setWithTTL: Entry; value: string; ttlMs: number };

/** Draws one operation from `roll` (a seeded generator); `step` makes values unique. */
export function randomOp(roll: () => number, step: number): Op {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(roll() * items.length)] as T;
  const at = (): Entry => [pick(GROUPS), pick(KEYS)];
  const value = `v${step}`;
  // TTLs either run out long before the comparison or outlive it.
  const ttl = () => (roll() < 0.5 ? Math.floor(roll() * 50) : 10 * 24 * 3600_000);
  const kind = roll();
  if (kind < 0.35) return { kind: 'set', at: at(), value };
  if (kind < 0.5) return { kind: 'setWithTTL', at: at(), value, ttlMs: ttl() };
  if (kind < 0.65) return { kind: 'delete', at: at() };
  if (kind < 0.72) return { kind: 'deleteGroup', group: pick(GROUPS) };
  if (kind < 0.85) {
    const group = pick(GROUPS);
    const entries = KEYS.filter(() => roll() < 0.5).map((k): [string, string] => [k, `${value}-${k}`]);
    return { kind: 'setMany', group, entries, ttlMs: roll() < 0.3 ? ttl() : null };
  }
  return { kind: 'transaction', set: at(), delete: at(), setWithTTL: at(), value, ttlMs: ttl() };
}

/** Runs `op` on `store`. */
export async function applyOp(store: Store, op: Op): Promise<void> {
  switch (op.kind) {
    case 'set':
      await store.set(...op.at, op.value);
      return;
    case 'setWithTTL':
      await store.setWithTTL(...op.at, op.value, op.ttlMs);
      return;
    case 'delete':
      await store.delete(...op.at);
      return;
    case 'deleteGroup':
      await store.deleteGroup(op.group);
      return;
    case 'setMany':
      await store.setMany(op.group, op.entries, op.ttlMs === null ? {} : { ttlMs: op.ttlMs });
      return;
    case 'transaction':
      await store.transaction(async (tx) => {
        await tx.set(...op.set, `${op.value}-t1`);
        await tx.delete(...op.delete);
        await tx.setWithTTL(...op.setWithTTL, `${op.value}-t2`, op.ttlMs);
      });
      return;
  }
}

/** The lines of a dump (`dump(store)`) holding live entries of `namespaces`, for comparing replicas. */
export async function syncedLines(lines: AsyncIterable<string>, namespaces: readonly string[]): Promise<string[]> {
  const kept: string[] = [];
  for await (const line of lines) {
    if (line.startsWith('{"goStoreDump"')) continue;
    const { group } = JSON.parse(line) as { group: string };
    if (namespaces.some((ns) => group.startsWith(`${ns}:`))) kept.push(line);
  }
  return kept;
}
