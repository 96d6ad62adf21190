#!/usr/bin/env node
/**
 * The `go-store` executable: `npx go-store FILE COMMAND [ARGS] [--json]` (see `--help`).
 *
 * @packageDocumentation
 */
import { runCli } from './cli/run.js';

process.exitCode = await runCli(process.argv.slice(2), process);
