/**
 * Crash safety with real processes killed by SIGKILL: a client killed right after its writes
 * were acknowledged, before any sync, sends every one of them after restarting; a server
 * killed in the middle of a push loses nothing, and the next sync completes it without
 * duplicating anything.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '@go-store/adapter-node';
import { startSync } from '@go-store/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { direct, openMemory, serve, snapshot } from './support.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));

/** Starts the child and calls `onLine` for each line it prints; resolves when it exits. */
function run(
  args: string[],
  onLine: (line: string, child: ChildProcess) => void,
): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    let end = buffered.indexOf('\n');
    while (end >= 0) {
      onLine(buffered.slice(0, end), child);
      buffered = buffered.slice(end + 1);
      end = buffered.indexOf('\n');
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

test('client: killed right after acknowledged writes, before any sync, it sends them all after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-crash-'));
  const db = join(dir, 'client.db');
  let acked = -1;
  const { exited } = run(['client', db], (line, child) => {
    if (!line.startsWith('ack ')) return;
    acked = Number(line.slice(4));
    if (acked >= 200) child.kill('SIGKILL');
  });
  await exited;
  assert.ok(acked >= 200, 'the client acknowledged writes before it was killed');

  const server = await openMemory(Date.now);
  const handler = serve(server, { authorize: () => ['a'] });
  const client = await openStore(db, { purgeIntervalMs: 0 });
  const sync = startSync(client, {
    url: 'http://sync.test/',
    namespaces: ['a'],
    fetch: direct(handler),
    intervalMs: 0,
  });
  await sync.syncNow();
  const received = await server.getAll('a:w');
  for (let n = 0; n <= acked; n++) assert.is(received[`n${n}`], `value ${n}`, `acknowledged write n${n}`);
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  await sync.stop();
  handler.close();
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('server: killed in the middle of a push, it loses nothing and the next sync completes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gostore-sync-crash-'));
  const db = join(dir, 'server.db');
  let port = 0;
  let pushes = 0;
  let killed = false;
  const startServer = (fixedPort?: number) => {
    let announce: (port: number) => void = () => undefined;
    const ready = new Promise<number>((resolve) => {
      announce = resolve;
    });
    const started = run(['server', db, ...(fixedPort === undefined ? [] : [String(fixedPort)])], (line, child) => {
      if (line.startsWith('port ')) announce(Number(line.slice(5)));
      // The second push is killed as it arrives: its transaction may or may not have committed.
      if (line === 'push' && ++pushes === 2 && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    return { ...started, ready };
  };
  const first = startServer();
  port = await first.ready;

  const client = await openMemory(Date.now);
  await client.transaction(async (tx) => {
    for (let group = 0; group < 10; group++) {
      await tx.setMany(
        `a:g${group}`,
        Array.from({ length: 50 }, (_, i): [string, string] => [`k${i}`, `v${group}-${i}`]),
      );
    }
  });
  const fetchToServer = (_input: string, init: RequestInit) => fetch(`http://127.0.0.1:${port}/`, init);
  const sync = startSync(client, {
    url: 'http://sync.test/',
    namespaces: ['a'],
    fetch: fetchToServer,
    intervalMs: 0,
    batchSize: 100,
  });
  await sync.syncNow();
  assert.is(pushes, 1);
  for (let i = 0; i < 500; i++) await client.set(`a:s${i % 7}`, `k${i}`, `single ${i}`);
  let failed = false;
  try {
    await sync.syncNow();
  } catch {
    failed = true;
  }
  await first.exited;
  assert.ok(killed && failed, 'the server was killed during the sync, which failed');
  assert.is(sync.status.state, 'offline');

  const second = startServer(port);
  await second.ready;
  await sync.syncNow();
  await sync.stop();
  second.child.kill('SIGKILL');
  await second.exited;

  const server = await openStore(db, { purgeIntervalMs: 0 });
  assert.equal(await snapshot(server, ['a']), await snapshot(client, ['a']));
  assert.is(await server.countAll('a:'), 1000);
  // Nothing duplicated in the bookkeeping either: one entry per key.
  const [[entries]] = (await server.transaction((tx) => tx.sql.all('SELECT count(*) FROM gostore_sync_entries'))) as [
    [number],
  ];
  assert.is(entries, 1000);
  await server.close();
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
