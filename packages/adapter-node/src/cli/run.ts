/**
 * The `go-store` command line: parses, opens the database for as long as the command needs
 * it, runs the command, and maps the outcome to an exit status — 0 success, 1 key not found,
 * 2 usage error (usage printed), 3 any other error (its message on stderr).
 */
import fs from 'node:fs';
import { NotFoundError, type Store, StoreError } from '@go-store/core';
import { openStore } from '../index.js';
import { type Command, parseCommandLine, USAGE, UsageError } from './args.js';
import { type CliIo, execute } from './commands.js';
import { OutputClosedError } from './output.js';

/** Exit statuses of the CLI. */
const EXIT = { ok: 0, notFound: 1, usage: 2, error: 3 } as const;

/** Commands that may create the database file; the others refuse a file that does not exist. */
const CREATES_FILE = new Set(['set', 'load']);

/**
 * Runs the CLI with `argv` (the arguments after the script name) and resolves to its exit
 * status. Every error is reported on `io.stderr`; nothing is thrown.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`go-store: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command.name === 'help') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  const json = command.json;
  let store: Store | undefined;
  try {
    if (command.file !== ':memory:' && !CREATES_FILE.has(command.name) && !fs.existsSync(command.file)) {
      throw new Error(`${command.file}: no such database file`);
    }
    if (command.name === 'load' && command.input !== undefined && command.input !== '-') {
      // Checked before the database is opened, so a mistyped name changes nothing.
      fs.accessSync(command.input, fs.constants.R_OK);
    }
    // The CLI has no use for the background purge; `purge` runs it on demand.
    store = await openStore(command.file, { purgeIntervalMs: 0 });
    await execute(store, command, io);
    const closing = store;
    store = undefined;
    await closing.close();
    return EXIT.ok;
  } catch (error) {
    if (error instanceof OutputClosedError) return EXIT.ok;
    report(io, error, json);
    return error instanceof NotFoundError ? EXIT.notFound : EXIT.error;
  } finally {
    // Released as soon as the command is done, whatever happened, so the file is not held.
    await store?.close().catch(() => undefined);
  }
}

function report(io: CliIo, error: unknown, json: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    const code = error instanceof StoreError ? error.code : 'ERROR';
    io.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  } else {
    io.stderr.write(`go-store: ${message}\n`);
  }
}
