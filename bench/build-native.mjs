/**
 * Builds the benchmarks' native baselines (better-sqlite3, and the sqlite3 addon under
 * @keyv/sqlite) on request: `pnpm bench` and `.ci/run` call this. `pnpm install` leaves them
 * unbuilt (see pnpm-workspace.yaml), because building needs Node's headers and, without them,
 * node-gyp prints dozens of errors trying to download them. Here the build uses this Node's own
 * headers when the system has them (`/usr/include/node`), and a baseline that still cannot be
 * built is reported and skipped: the benchmarks then list its rows as not measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const env = { ...process.env };
if (env.npm_config_nodedir === undefined && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';

/**
 * The directory of `name` as `from` resolves it, or undefined when it is not installed. Found
 * from its entry point, as some exports maps hide `package.json`.
 */
function packageDir(name, from = require) {
  let dir;
  try {
    dir = dirname(from.resolve(name));
  } catch {
    return undefined;
  }
  while (
    !existsSync(join(dir, 'package.json')) ||
    !readFileSync(join(dir, 'package.json'), 'utf8').includes(`"name": "${name}"`)
  ) {
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return dir;
}

const keyvSqlite = packageDir('@keyv/sqlite');
const baselines = [
  ['better-sqlite3', packageDir('better-sqlite3')],
  ['sqlite3 (for @keyv/sqlite)', keyvSqlite && packageDir('sqlite3', createRequire(join(keyvSqlite, 'package.json')))],
];

for (const [name, dir] of baselines) {
  if (dir === undefined) {
    console.error(`bench: ${name} is not installed; its rows will be listed as not measured`);
    continue;
  }
  const release = join(dir, 'build', 'Release');
  if (existsSync(release) && readdirSync(release).some((file) => file.endsWith('.node'))) continue;
  console.error(`bench: building ${name}…`);
  try {
    // The package's own install script, as pnpm would run it.
    execFileSync('npm', ['run', 'install', '--silent'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    console.error(`bench: built ${name}`);
  } catch (error) {
    const reason = String(error.stderr ?? error.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' ');
    console.error(`bench: ${name} could not be built (${reason}); its rows will be listed as not measured`);
  }
}
