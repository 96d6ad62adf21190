/**
 * Runs the conformance suite on the built packages in a runtime with Node's APIs: Node itself,
 * Deno and Bun run this same file. `@go-store/adapter-node` is imported exactly as a user
 * would, and its file persistence goes through the runtime's `node:fs`.
 *
 *   <runtime> node-compat.js <engine> memory          ':memory:' stores
 *   <runtime> node-compat.js <engine> file <folder>   a fresh database file per test, in <folder>
 *
 * where <engine> is `native` (the runtime's own SQLite) or `sqljs`.
 *
 * Prints uvu's progress, then one report line (see `result.ts`); exits 1 if a test failed.
 */
import './uvu-defer.js';
import { join } from 'node:path';
import { openStore } from '@go-store/adapter-node';
import type { StoreOptions } from '@go-store/core';
import { runConformance } from '@go-store/test-suite';
import { persistenceSuite } from './persistence.js';
import { REPORT_MARKER, type RuntimeReport } from './result.js';
import { runQueuedSuites } from './suite-runner.js';

const [engineArgument, mode, folder] = process.argv.slice(2);
if (
  (engineArgument !== 'native' && engineArgument !== 'sqljs') ||
  (!(mode === 'memory' && folder === undefined) && !(mode === 'file' && folder !== undefined))
) {
  console.error('usage: node-compat.js native|sqljs memory | node-compat.js native|sqljs file <folder>');
  process.exit(2);
}
const engine = engineArgument === 'native' ? 'native' : 'sqljs';

const { runtime, version } = identify();
let opened = 0;

// A rejection that nobody handles when it happens fails the run: by default Node and Deno end
// the process there (Node before the report could be printed), and Bun prints it and goes on.
// Recording it lets the run finish and say what happened.
const rejections = new Map<Promise<unknown>, { reason: string; handledLater: boolean }>();
process.on('unhandledRejection', (reason: unknown, promise: Promise<unknown>) => {
  rejections.set(promise, {
    reason: reason instanceof Error ? (reason.stack ?? String(reason)) : String(reason),
    handledLater: false,
  });
});
process.on('rejectionHandled', (promise: Promise<unknown>) => {
  const entry = rejections.get(promise);
  if (entry !== undefined) entry.handledLater = true;
});

function open(options?: StoreOptions) {
  if (folder === undefined) return openStore(':memory:', { ...options, engine });
  opened += 1;
  return openStore(join(folder, `store-${opened}.db`), { ...options, engine });
}

const result = await runQueuedSuites(() => {
  runConformance(`${runtime} ${engine} ${mode === 'file' ? 'file' : ':memory:'}`, open);
  if (folder !== undefined) persistenceSuite(runtime, engine, folder);
});
const unhandled = [...rejections.values()].map(({ reason, handledLater }) =>
  handledLater
    ? `${reason}\n(handled only later, asynchronously: Node and Deno end the process at this point by default)`
    : reason,
);
const report: RuntimeReport = { runtime, version, ...result, unhandled };
process.stdout.write(`\n${REPORT_MARKER}${JSON.stringify(report)}\n`);
process.exitCode = result.failed === 0 && unhandled.length === 0 ? 0 : 1;

function identify(): { runtime: string; version: string } {
  const versions = process.versions as NodeJS.ProcessVersions & { deno?: string; bun?: string };
  if (versions.deno !== undefined) return { runtime: 'Deno', version: versions.deno };
  if (versions.bun !== undefined) return { runtime: 'Bun', version: versions.bun };
  return { runtime: 'Node', version: versions.node };
}
