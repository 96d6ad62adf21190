/**
 * The `go-store` CLI: every command, plain and `--json` output, exit statuses (0 success,
 * 1 not found, 2 usage, 3 other errors), dump → load round trips, atomic loads, and progress
 * shown only on a terminal. Most runs are in-process through `runCli`; a few spawn the
 * installed executable to check what a shell sees.
 */

import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { openStore } from '@go-store/adapter-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as RunModule from '../dist/cli/run.js';

// The built package: its executable, and the function behind it (not in its exports map).
const entry = import.meta.resolve('@go-store/adapter-node');
const BIN = fileURLToPath(new URL('./cli.js', entry));
const { runCli } = (await import(new URL('./cli/run.js', entry).href)) as typeof RunModule;

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with `stdin` as its input; `tty` makes stderr claim to be a terminal. */
async function cli(argv: string[], options: { stdin?: string; tty?: boolean } = {}): Promise<Result> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.stdout.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.stderr.push(chunk));
  const stdin = Readable.from(options.stdin === undefined ? [] : [options.stdin]);
  const status = await runCli(argv, { stdin, stdout, stderr });
  return {
    status,
    stdout: Buffer.concat(chunks.stdout).toString('utf8'),
    stderr: Buffer.concat(chunks.stderr).toString('utf8'),
  };
}

function tempDir(): string {
  return fs.mkdtempSync(nodePath.join(os.tmpdir(), 'go-store-cli-'));
}

async function seeded(): Promise<string> {
  const file = nodePath.join(tempDir(), 'app.db');
  const store = await openStore(file, { purgeIntervalMs: 0 });
  await store.set('config', 'theme', 'dark');
  await store.set('config', 'lang', 'en-GB');
  await store.set('mail', 'host', 'smtp.example.com');
  await store.set('mail', 'port', '587');
  await store.setWithTTL('session', 'token', 'abc', 3_600_000);
  await store.close();
  return file;
}

test('get prints the value and a newline; --json prints an object; a missing key exits 1', async () => {
  const file = await seeded();
  assert.equal(await cli([file, 'get', 'config', 'theme']), { status: 0, stdout: 'dark\n', stderr: '' });
  const json = await cli(['--json', file, 'get', 'config', 'theme']);
  assert.equal(JSON.parse(json.stdout), { group: 'config', key: 'theme', value: 'dark' });
  const missing = await cli([file, 'get', 'config', 'nope']);
  assert.is(missing.status, 1);
  assert.is(missing.stdout, '');
  assert.is(missing.stderr, 'go-store: store.get: config/nope: not found\n');
  const missingJson = await cli([file, 'get', 'config', 'nope', '--json']);
  assert.is(missingJson.status, 1);
  assert.equal(JSON.parse(missingJson.stderr), {
    error: { code: 'NOT_FOUND', message: 'store.get: config/nope: not found' },
  });
});

test('set writes a value, with --ttl an expiring one; it creates the file', async () => {
  const file = nodePath.join(tempDir(), 'new.db');
  assert.equal(await cli([file, 'set', 'g', 'k', 'line 1\nline 2']), { status: 0, stdout: '', stderr: '' });
  assert.equal(await cli([file, 'set', 'g', 't', 'soon', '--ttl', '60000', '--json']), {
    status: 0,
    stdout: '{"ok":true}\n',
    stderr: '',
  });
  const before = Date.now();
  const dumped = (await cli([file, 'dump'])).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(dumped[1], { group: 'g', key: 'k', value: 'line 1\nline 2', expiresAt: null });
  assert.is(dumped[2].key, 't');
  assert.ok(dumped[2].expiresAt > before && dumped[2].expiresAt <= before + 60_000, 'expires about a minute on');
  assert.is((await cli([file, 'set', 'g', 'k', 'v', '--ttl', 'soon'])).status, 2);
  assert.is((await cli([file, 'set', 'g', 'k', '--', '-dash'])).status, 0);
  assert.is((await cli([file, 'get', 'g', 'k'])).stdout, '-dash\n');
});

test('delete removes a key or a whole group and prints how many keys went', async () => {
  const file = await seeded();
  assert.equal(await cli([file, 'delete', 'config', 'theme']), { status: 0, stdout: '1\n', stderr: '' });
  assert.equal(await cli([file, 'delete', 'config', 'theme']), { status: 0, stdout: '0\n', stderr: '' });
  assert.equal(await cli([file, 'delete', 'mail', '--json']), { status: 0, stdout: '{"deleted":2}\n', stderr: '' });
  assert.is((await cli([file, 'groups'])).stdout, 'config\nsession\n');
});

test('groups [PREFIX] and keys GROUP list one name per line, or a JSON array', async () => {
  const file = await seeded();
  assert.is((await cli([file, 'groups'])).stdout, 'config\nmail\nsession\n');
  assert.is((await cli([file, 'groups', 'm'])).stdout, 'mail\n');
  assert.is((await cli([file, 'groups', 'zzz'])).stdout, '');
  assert.equal(JSON.parse((await cli([file, 'groups', '--json'])).stdout), ['config', 'mail', 'session']);
  assert.is((await cli([file, 'keys', 'config'])).stdout, 'lang\ntheme\n');
  assert.equal(JSON.parse((await cli([file, '--json', 'keys', 'config'])).stdout), ['lang', 'theme']);
  assert.equal(JSON.parse((await cli([file, '--json', 'keys', 'none'])).stdout), []);
});

test('count [GROUP] prints the number of live keys', async () => {
  const file = await seeded();
  assert.is((await cli([file, 'count'])).stdout, '5\n');
  assert.is((await cli([file, 'count', 'config'])).stdout, '2\n');
  assert.equal(JSON.parse((await cli([file, 'count', 'mail', '--json'])).stdout), { count: 2 });
});

test('render GROUP TEMPLATE prints the output; a bad template exits 3', async () => {
  const file = await seeded();
  assert.is((await cli([file, 'render', 'mail', '{{ .host }}:{{ .port }}'])).stdout, 'smtp.example.com:587\n');
  assert.equal(JSON.parse((await cli([file, 'render', 'mail', '{{.port}}', '--json'])).stdout), { output: '587' });
  const bad = await cli([file, 'render', 'mail', '{{ .host']);
  assert.is(bad.status, 3);
  assert.match(bad.stderr, /^go-store: store\.render: parse: /);
});

test('purge removes expired keys and prints how many', async () => {
  const file = nodePath.join(tempDir(), 'p.db');
  const store = await openStore(file, { purgeIntervalMs: 0 });
  await store.setWithTTL('g', 'old', 'x', -1);
  await store.setWithTTL('g', 'older', 'x', -5);
  await store.set('g', 'kept', 'x');
  await store.close();
  assert.equal(await cli([file, 'purge']), { status: 0, stdout: '2\n', stderr: '' });
  assert.equal(await cli([file, 'purge', '--json']), { status: 0, stdout: '{"purged":0}\n', stderr: '' });
});

test('stats summarises groups, live keys and expiring keys', async () => {
  const file = await seeded();
  const stats = JSON.parse((await cli([file, 'stats', '--json'])).stdout);
  assert.equal(stats, { file: fs.realpathSync(file), bytes: fs.statSync(file).size, groups: 3, keys: 5, expiring: 1 });
  const plain = (await cli([file, 'stats'])).stdout;
  assert.match(plain, /^groups {3}3$/m);
  assert.match(plain, /^keys {5}5$/m);
});

test('usage errors exit 2 with the usage printed; --help prints it and exits 0', async () => {
  const cases = [
    [],
    ['app.db'],
    ['app.db', 'frobnicate'],
    ['app.db', 'get', 'only-group'],
    ['app.db', 'get', 'g', 'k', 'extra'],
    ['app.db', 'get', 'g', 'k', '--ttl', '5'],
    ['app.db', 'dump', '--replace'],
    ['app.db', 'count', '--verbose'],
    ['app.db', 'set', 'g', 'k', 'v', '--ttl'],
  ];
  for (const argv of cases) {
    const result = await cli(argv);
    assert.is(result.status, 2, argv.join(' '));
    assert.is(result.stdout, '');
    assert.match(result.stderr, /^go-store: .+\n\nUsage: go-store FILE COMMAND/, argv.join(' '));
  }
  const help = await cli(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /^Usage: go-store FILE COMMAND/);
  assert.is(fs.existsSync('app.db'), false, 'no usage error touches the file');
});

test('other errors exit 3 with the message on stderr and change nothing', async () => {
  const dir = tempDir();
  const missing = await cli([nodePath.join(dir, 'absent.db'), 'get', 'g', 'k']);
  assert.is(missing.status, 3);
  assert.match(missing.stderr, /absent\.db: no such database file/);
  assert.is(fs.existsSync(nodePath.join(dir, 'absent.db')), false, 'reading commands do not create the file');
  const notDb = nodePath.join(dir, 'text.db');
  fs.writeFileSync(notDb, 'this is not a database, just some text that is long enough to look like one');
  const refused = await cli([notDb, 'count', '--json']);
  assert.is(refused.status, 3);
  assert.is(JSON.parse(refused.stderr).error.code, 'NOT_A_DATABASE');
  const noDir = await cli([nodePath.join(dir, 'no', 'such', 'dir.db'), 'set', 'g', 'k', 'v']);
  assert.is(noDir.status, 3);
  assert.match(noDir.stderr, /does not exist; create it first \(mkdir -p .*no[/\\]such\)/);
  const file = await seeded();
  const store = await openStore(file, { purgeIntervalMs: 0 });
  try {
    const locked = await cli([file, 'count', '--json']);
    assert.is(locked.status, 3);
    assert.is(JSON.parse(locked.stderr).error.code, 'LOCKED');
  } finally {
    await store.close();
  }
});

const AWKWARD = ['plain', '', 'nul\u0000byte', 'new\nline', 'cr\r\nlf', '😀 emoji', '中文', 'tab\tand "quotes"'];

test('dump → load round-trips every string and TTL exactly (through a file and through a pipe)', async () => {
  const source = nodePath.join(tempDir(), 'source.db');
  const store = await openStore(source, { purgeIntervalMs: 0 });
  let i = 0;
  for (const group of AWKWARD) {
    for (const key of AWKWARD) {
      const value = AWKWARD[(i * 3) % AWKWARD.length] ?? '';
      if (i % 3 === 0) await store.setWithTTL(group, key, value, 3_600_000 + i);
      else await store.set(group, key, value);
      i++;
    }
  }
  await store.close();
  const dumpFile = nodePath.join(tempDir(), 'dump.jsonl');
  assert.equal(await cli([source, 'dump', dumpFile, '--json']), {
    status: 0,
    stdout: `{"dumped":${AWKWARD.length ** 2}}\n`,
    stderr: '',
  });
  const dumped = fs.readFileSync(dumpFile, 'utf8');
  assert.is((await cli([source, 'dump'])).stdout, dumped, 'stdout and OUT hold the same dump');
  const viaFile = nodePath.join(tempDir(), 'via-file.db');
  assert.equal(await cli([viaFile, 'load', dumpFile]), { status: 0, stdout: `${AWKWARD.length ** 2}\n`, stderr: '' });
  assert.is((await cli([viaFile, 'dump'])).stdout, dumped);
  const viaPipe = nodePath.join(tempDir(), 'via-pipe.db');
  assert.equal(JSON.parse((await cli([viaPipe, 'load', '--json'], { stdin: dumped })).stdout), {
    loaded: AWKWARD.length ** 2,
  });
  assert.is((await cli([viaPipe, 'dump'])).stdout, dumped);
});

test('load upserts; --replace empties the database first', async () => {
  const file = await seeded();
  const input = '{"goStoreDump":1}\n{"group":"config","key":"theme","value":"light","expiresAt":null}\n';
  assert.is((await cli([file, 'load'], { stdin: input })).status, 0);
  assert.is((await cli([file, 'get', 'config', 'theme'])).stdout, 'light\n');
  assert.is((await cli([file, 'count'])).stdout, '5\n');
  assert.is((await cli([file, 'load', '--replace'], { stdin: input })).status, 0);
  assert.is((await cli([file, 'count'])).stdout, '1\n');
});

test('load: a malformed line exits 3 naming its line number, and nothing changes', async () => {
  const file = await seeded();
  const before = (await cli([file, 'dump'])).stdout;
  const input = [
    '{"goStoreDump":1}',
    '{"group":"new","key":"k","value":"v","expiresAt":null}',
    '{"group":"config","key":"theme","value":"light","expiresAt":null}',
    '{"group":"x","key":"k","value":"v","expiresAt":"tomorrow"}',
  ].join('\n');
  for (const argv of [['load'], ['load', '--replace']]) {
    const result = await cli([file, ...argv], { stdin: input });
    assert.is(result.status, 3);
    assert.match(result.stderr, /line 4: expiresAt must be null or whole Unix milliseconds/);
    assert.is((await cli([file, 'dump'])).stdout, before);
  }
  const missing = await cli([file, 'load', nodePath.join(tempDir(), 'absent.jsonl')]);
  assert.is(missing.status, 3);
  assert.is((await cli([file, 'dump'])).stdout, before);
});

test('progress goes to stderr only when it is a terminal', async () => {
  const file = nodePath.join(tempDir(), 'many.db');
  const store = await openStore(file, { purgeIntervalMs: 0 });
  const entries: Array<[string, string]> = [];
  for (let i = 0; i < 2500; i++) entries.push([`k${String(i).padStart(5, '0')}`, `v${i}`]);
  await store.setMany('g', entries);
  await store.close();
  const quiet = await cli([file, 'dump']);
  assert.is(quiet.stderr, '');
  const shown = await cli([file, 'dump'], { tty: true });
  assert.is(shown.stdout, quiet.stdout, 'progress never mixes into the output');
  assert.match(shown.stderr, /dumped [\d,]+ of 2,500/);
  assert.ok(shown.stderr.endsWith('\r\x1b[2K'), 'the progress line is cleared at the end');
  assert.is((await cli([file, 'load'], { stdin: quiet.stdout })).stderr, '');
  assert.match((await cli([file, 'load'], { stdin: quiet.stdout, tty: true })).stderr, /read lines: [\d,]+/);
  assert.match((await cli([file, 'stats'], { tty: true })).stderr, /scanning [\d,]+ of 2,500/);
  assert.match((await cli([file, 'purge'], { tty: true })).stderr, /purging expired keys/);
});

test('the installed executable: exit statuses, plain output and pipes, as a shell sees them', async () => {
  const file = await seeded();
  const run = (args: string[], input?: string) =>
    spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: input ?? '' });
  const got = run([file, 'get', 'config', 'theme']);
  assert.equal([got.status, got.stdout, got.stderr], [0, 'dark\n', '']);
  assert.is(run([file, 'get', 'config', 'nope']).status, 1);
  const usage = run([file]);
  assert.is(usage.status, 2);
  assert.match(usage.stderr, /Usage: go-store FILE COMMAND/);
  assert.is(run([nodePath.join(tempDir(), 'absent.db'), 'count']).status, 3);
  const dumped = run([file, 'dump']).stdout;
  const copy = nodePath.join(tempDir(), 'copy.db');
  assert.is(run([copy, 'load'], dumped).status, 0);
  assert.is(run([copy, 'dump']).stdout, dumped);
  // A reader that stops early (`| head -1`) ends the dump quietly.
  const early = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [BIN, file, 'keys', 'config'], (error, _stdout, stderr) =>
      resolve({ code: error === null ? 0 : (error.code as number), stderr }),
    );
    child.stdout?.once('data', () => child.stdout?.destroy());
  });
  assert.equal(early, { code: 0, stderr: '' });
});

test.run();
