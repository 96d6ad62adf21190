/**
 * What each command of the `go-store` CLI does with an open store, and how it prints: plain
 * text for people and shell pipes, or JSON with `--json`.
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { dump, load, type Store, type StoredEntry } from '@go-store/core';
import type { Command } from './args.js';
import { Output } from './output.js';
import { Progress } from './progress.js';

/** Where a command reads and writes: the process's streams, or a test's. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable & { isTTY?: boolean };
}

/** A command that runs on an open store. */
type StoreCommand = Exclude<Command, { name: 'help' }>;

/** Entries read per round trip by dump and stats. */
const PAGE_SIZE = 1000;

/** Runs one command; resolves when its output has been written. */
export async function execute(store: Store, command: StoreCommand, io: CliIo): Promise<void> {
  const out = new Output(io.stdout);
  const print = (plain: string, json: unknown): Promise<void> =>
    out.write(command.json ? `${JSON.stringify(json)}\n` : plain);
  switch (command.name) {
    case 'get': {
      const value = await store.get(command.group, command.key);
      await print(`${value}\n`, { group: command.group, key: command.key, value });
      break;
    }
    case 'set':
      if (command.ttlMs === undefined) await store.set(command.group, command.key, command.value);
      else await store.setWithTTL(command.group, command.key, command.value, command.ttlMs);
      if (command.json) await out.write('{"ok":true}\n');
      break;
    case 'delete': {
      const { group, key } = command;
      // Counted and removed in one transaction, so the number printed is what was removed.
      const deleted = await store.transaction(async (tx) => {
        if (key === undefined) {
          const count = await tx.count(group);
          await tx.deleteGroup(group);
          return count;
        }
        const live = await tx.has(group, key);
        await tx.delete(group, key);
        return live ? 1 : 0;
      });
      await print(`${deleted}\n`, { deleted });
      break;
    }
    case 'groups':
      await printList(out, await store.groups(command.prefix), command.json);
      break;
    case 'keys':
      await printList(out, keysOf(store, command.group), command.json);
      break;
    case 'count': {
      const count = command.group === undefined ? await store.countAll() : await store.count(command.group);
      await print(`${count}\n`, { count });
      break;
    }
    case 'render': {
      const output = await store.render(command.template, command.group);
      await print(`${output}\n`, { output });
      break;
    }
    case 'purge': {
      const progress = new Progress(io.stderr, 'purging expired keys…');
      progress.update(0);
      const purged = await store.purgeExpired();
      progress.end();
      await print(`${purged}\n`, { purged });
      break;
    }
    case 'stats':
      await stats(store, command.file, command.json, out, io);
      break;
    case 'dump':
      await dumpTo(store, command.out, command.json, out, io);
      break;
    case 'load': {
      const loaded = await loadFrom(store, command.input, command.replace, io);
      await print(`${loaded}\n`, { loaded });
      break;
    }
  }
  await out.flush();
}

async function* keysOf(store: Store, group: string): AsyncGenerator<string> {
  for await (const { key } of store.all(group)) yield key;
}

/** Names one per line, or a JSON array, streamed as they come. */
async function printList(out: Output, names: Iterable<string> | AsyncIterable<string>, json: boolean): Promise<void> {
  let first = true;
  if (json) await out.write('[');
  for await (const name of names) {
    await out.write(json ? `${first ? '' : ','}${JSON.stringify(name)}` : `${name}\n`);
    first = false;
  }
  if (json) await out.write(']\n');
}

/** A summary of the database, from one streamed pass over its live entries. */
async function stats(store: Store, file: string, json: boolean, out: Output, io: CliIo): Promise<void> {
  const progress = new Progress(io.stderr, 'scanning', await store.countAll());
  let keys = 0;
  let groups = 0;
  let expiring = 0;
  let lastGroup: string | undefined;
  let after: { group: string; key: string } | undefined;
  for (;;) {
    const page: StoredEntry[] = await store.exportPage(
      after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE },
    );
    for (const entry of page) {
      keys++;
      if (entry.group !== lastGroup) groups++;
      lastGroup = entry.group;
      if (entry.expiresAt !== null) expiring++;
    }
    progress.update(keys);
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE_SIZE) break;
    after = { group: last.group, key: last.key };
  }
  progress.end();
  const bytes = file === ':memory:' ? 0 : fs.statSync(file).size;
  const summary = { file: file === ':memory:' ? file : nodePath.resolve(file), bytes, groups, keys, expiring };
  if (json) {
    await out.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  for (const [name, value] of Object.entries(summary)) await out.write(`${name.padEnd(9)}${value}\n`);
}

/**
 * Streams a dump to stdout, or to OUT through a temporary file renamed into place when it is
 * complete, so a failed dump never leaves a partial file under OUT's name.
 */
async function dumpTo(
  store: Store,
  outPath: string | undefined,
  json: boolean,
  stdout: Output,
  io: CliIo,
): Promise<void> {
  const progress = new Progress(io.stderr, 'dumped', await store.countAll());
  const temporary = outPath === undefined ? undefined : `${outPath}.tmp-${process.pid}`;
  const stream = temporary === undefined ? undefined : fs.createWriteStream(temporary, { flags: 'wx' });
  const out = stream === undefined ? stdout : new Output(stream);
  let dumped = -1; // the header is not an entry
  try {
    for await (const line of dump(store, { pageSize: PAGE_SIZE })) {
      await out.write(`${line}\n`);
      dumped++;
      if (dumped % PAGE_SIZE === 0) progress.update(dumped);
    }
    await out.flush();
    if (stream !== undefined && temporary !== undefined && outPath !== undefined) {
      await new Promise<void>((resolve, reject) =>
        stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      await fsyncFile(temporary);
      fs.renameSync(temporary, outPath);
      if (json) await stdout.write(`${JSON.stringify({ dumped })}\n`);
    }
  } catch (error) {
    if (stream !== undefined && temporary !== undefined) {
      stream.destroy();
      fs.rmSync(temporary, { force: true });
    }
    throw error;
  } finally {
    progress.end();
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await fs.promises.open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Loads a dump from IN (or stdin), line by line, in one transaction. */
async function loadFrom(store: Store, inPath: string | undefined, replace: boolean, io: CliIo): Promise<number> {
  const input = inPath === undefined || inPath === '-' ? io.stdin : fs.createReadStream(inPath);
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const progress = new Progress(io.stderr, 'read lines:');
  async function* counted(): AsyncGenerator<string> {
    let lines = 0;
    for await (const line of reader) {
      yield line;
      if (++lines % PAGE_SIZE === 0) progress.update(lines);
    }
  }
  try {
    return await load(store, counted(), { replace });
  } finally {
    progress.end();
    reader.close();
  }
}
