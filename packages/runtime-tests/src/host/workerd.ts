/**
 * workerd, through Miniflare: bundles a Worker with esbuild as a Worker bundler would (browser
 * conditions, `.wasm` kept as a module of its own, no Node built-ins), serves it on 127.0.0.1
 * and talks to it over real HTTP.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { EXAMPLES_DIR, packageDir, packageVersion } from './paths.js';

/** workerd's version, as installed for Miniflare. */
export function workerdVersion(): string {
  return packageVersion('workerd', packageDir('miniflare'));
}

/** The `compatibility_date` of an example's `wrangler.toml` (`folder` under `examples/`). */
export function compatibilityDateOf(folder: string): string {
  const toml = readFileSync(join(EXAMPLES_DIR, folder, 'wrangler.toml'), 'utf8');
  const match = /^compatibility_date\s*=\s*"(\d{4}-\d{2}-\d{2})"/m.exec(toml);
  if (match === null) throw new Error(`examples/${folder}/wrangler.toml has no compatibility_date`);
  return match[1] as string;
}

/** The Worker example's `compatibility_date`, so the harnesses run under the same flags as it. */
export function exampleCompatibilityDate(): string {
  return compatibilityDateOf('worker');
}

export interface Bundle {
  folder: string;
  /** The entry module, relative to `folder`. */
  main: string;
  /** Every module in the bundle, relative to `folder`. */
  modules: string[];
}

/** Bundles a Worker entry for workerd into a fresh temporary folder. */
export async function bundleWorker(entry: string, define: Record<string, string> = {}): Promise<Bundle> {
  const folder = mkdtempSync(join(tmpdir(), 'go-store-workerd-'));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outdir: folder,
    loader: { '.wasm': 'copy' },
    define,
    metafile: true,
    logLevel: 'silent',
  });
  const modules = Object.keys(result.metafile.outputs).map((output) => basename(output));
  const main = basename(entry).replace(/\.ts$/, '.js');
  return { folder, main, modules };
}

/** Durable Object classes and D1 databases to bind, and where Miniflare keeps their data. */
export interface WorkerBindings {
  durableObjects?: Record<string, { className: string; useSQLite?: boolean }>;
  d1Databases?: string[];
  /** A directory: the objects' data survives a restart of Miniflare that passes it again. */
  durableObjectsPersist?: string;
  /** A directory: the databases survive a restart of Miniflare that passes it again. */
  d1Persist?: string;
}

export interface RunningWorker {
  url: URL;
  /** What workerd wrote to its stdout and stderr (the Worker's console). */
  output(): string;
  dispose(): Promise<void>;
}

/**
 * Serves a bundled Worker on 127.0.0.1 (a free port), with `.wasm` imports as compiled modules;
 * `bindings` adds Durable Objects, D1 databases and their persistence directories.
 */
export async function serveWorker(
  folder: string,
  main: string,
  compatibilityDate: string,
  bindings: WorkerBindings = {},
): Promise<RunningWorker> {
  const chunks: string[] = [];
  const mf = new Miniflare({
    modules: true,
    modulesRoot: folder,
    scriptPath: join(folder, main),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate,
    ...bindings,
    host: '127.0.0.1',
    port: 0,
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
      stderr.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    },
  });
  try {
    const url = await mf.ready;
    return { url, output: () => chunks.join(''), dispose: () => mf.dispose() };
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw new Error(`workerd did not start: ${(error as Error).message}\n${chunks.join('')}`);
  }
}

/** Removes a bundle's folder. */
export function removeBundle(bundle: Bundle): void {
  rmSync(bundle.folder, { recursive: true, force: true });
}
