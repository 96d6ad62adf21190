/**
 * A dump of a million keys runs in bounded memory: the CLI's peak RSS while dumping exceeds its
 * peak RSS while merely opening and counting the same file by no more than a fixed allowance.
 * Then the dump is loaded into a new file and dumped again, byte for byte the same.
 *
 * Too slow for every test run (about a minute and a half here), so not a `.test.ts` file: run it
 * with `pnpm run build && node build/test/adapter-node/test/cli-large.js [KEYS]`. It prints the
 * time and peak RSS of each step.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openStore } from '@go-store/adapter-node';

const KEYS = Number(process.argv[2] ?? 1_000_000);
const GROUPS = 1000;
/** What the dump may add to the memory of an open database: its pages and output buffers. */
const ALLOWANCE_BYTES = 64 * 1024 * 1024;

const BIN = fileURLToPath(new URL('./cli.js', import.meta.resolve('@go-store/adapter-node')));
// Reports the child's peak RSS (bytes) on stderr as it exits.
const REPORT_RSS =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("\\nmaxrss="+process.resourceUsage().maxRSS*1024+"\\n"))';

const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'go-store-cli-large-'));
const file = nodePath.join(dir, 'large.db');

const SCHEMA =
  'CREATE TABLE kv (grp TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (grp, key))';

/** Fills the file: with the sqlite3 program when there is one (much faster), else through the store. */
async function fill(): Promise<void> {
  const viaSqlite3 = spawnSync('sqlite3', [
    file,
    `${SCHEMA}; WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${KEYS - 1}) ` +
      `INSERT INTO kv SELECT 'group-' || printf('%04d', i % ${GROUPS}), 'key-' || printf('%07d', i), ` +
      `'value ' || i || ' \u{1F600}', CASE WHEN i % 10 = 0 THEN 4102444800000 ELSE NULL END FROM n;`,
  ]);
  if (viaSqlite3.status === 0) return;
  fs.rmSync(file, { force: true });
  const store = await openStore(file, { purgeIntervalMs: 0 });
  for (let g = 0; g < GROUPS; g++) {
    const entries: Array<[string, string]> = [];
    for (let i = g; i < KEYS; i += GROUPS) entries.push([`key-${String(i).padStart(7, '0')}`, `value ${i} \u{1F600}`]);
    await store.setMany(`group-${String(g).padStart(4, '0')}`, entries);
  }
  await store.close();
}

interface Run {
  seconds: number;
  maxRss: number;
  lines: number;
}

/** Runs the CLI, counting its stdout's lines (and checking their order) without keeping them. */
async function run(args: string[], output?: string): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', REPORT_RSS, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let lines = 0;
  let previous = '';
  const sink = output === undefined ? undefined : fs.createWriteStream(output);
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    lines++;
    if (lines > 2) {
      const { group, key } = JSON.parse(line) as { group: string; key: string };
      const at = `${group}\u0000${key}`;
      if (at <= previous) throw new Error(`line ${lines} is out of (group, key) order`);
      previous = at;
    }
    if (sink !== undefined && !sink.write(`${line}\n`))
      await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => (sink === undefined ? resolve() : sink.end(() => resolve())));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`go-store ${args.join(' ')} exited ${code}: ${stderr}`);
  const maxRss = Number(/maxrss=(\d+)/.exec(stderr)?.[1]);
  return { seconds: (performance.now() - started) / 1000, maxRss, lines };
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

await fill();
console.log(`${KEYS.toLocaleString('en-GB')} keys in ${GROUPS} groups, file ${mb(fs.statSync(file).size)}`);
const baseline = await run([file, 'count']);
console.log(`count: ${baseline.seconds.toFixed(1)} s, peak RSS ${mb(baseline.maxRss)}`);
const dumpFile = nodePath.join(dir, 'large.jsonl');
const dumped = await run([file, 'dump'], dumpFile);
console.log(`dump:  ${dumped.seconds.toFixed(1)} s, peak RSS ${mb(dumped.maxRss)}, ${dumped.lines} lines`);
if (dumped.lines !== KEYS + 1) throw new Error(`expected ${KEYS + 1} lines, got ${dumped.lines}`);
const extra = dumped.maxRss - baseline.maxRss;
console.log(`the dump's own memory: ${mb(extra)} (allowance ${mb(ALLOWANCE_BYTES)})`);
if (extra > ALLOWANCE_BYTES) throw new Error('the dump does not run in bounded memory');

const copy = nodePath.join(dir, 'copy.db');
const loadStarted = performance.now();
const loaded = spawnSync(process.execPath, ['--import', REPORT_RSS, BIN, copy, 'load', dumpFile], { encoding: 'utf8' });
if (loaded.status !== 0) throw new Error(`load exited ${loaded.status}: ${loaded.stderr}`);
const loadRss = Number(/maxrss=(\d+)/.exec(loaded.stderr)?.[1]);
console.log(`load:  ${((performance.now() - loadStarted) / 1000).toFixed(1)} s, peak RSS ${mb(loadRss)}`);
const again = await run([copy, 'dump'], nodePath.join(dir, 'again.jsonl'));
if (!fs.readFileSync(dumpFile).equals(fs.readFileSync(nodePath.join(dir, 'again.jsonl')))) {
  throw new Error('the loaded copy dumps differently');
}
console.log(`dump of the loaded copy: ${again.seconds.toFixed(1)} s, identical`);
fs.rmSync(dir, { recursive: true, force: true });
