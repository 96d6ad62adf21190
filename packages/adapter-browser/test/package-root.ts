/**
 * The tests run from build/test/adapter-browser/test/, outside the package, where Node would
 * not find the package's own dev dependencies (pnpm links them inside the package only), so
 * they are loaded from the package's folder.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root: this file is compiled to build/test/adapter-browser/test/. */
export function repoRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** packages/adapter-browser. */
export function packageRoot(): string {
  return join(repoRoot(), 'packages', 'adapter-browser');
}

/** `require` a (CommonJS) dev dependency of the package. */
export function requireFromPackage<T>(id: string): T {
  return createRequire(join(packageRoot(), 'package.json'))(id) as T;
}
