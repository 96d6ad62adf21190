/**
 * The command line of `go-store FILE COMMAND [ARGS]`: parsed with `node:util`'s `parseArgs`
 * into one typed command, or refused with a {@link UsageError} (exit status 2, usage printed).
 */
import { parseArgs } from 'node:util';

/** The usage text, printed with `--help` and after every usage error. */
export const USAGE = `Usage: go-store FILE COMMAND [ARGS] [--json]

Commands:
  get GROUP KEY                 print the value of a key
  set GROUP KEY VALUE [--ttl MS] write a value (expiring MS milliseconds from now)
  delete GROUP [KEY]            remove a key, or every key of a group
  groups [PREFIX]               list the groups (starting with PREFIX), one per line
  keys GROUP                    list a group's keys, one per line
  count [GROUP]                 count the live keys of a group, or of the whole database
  render GROUP TEMPLATE         render a Go text/template with the group's values
  purge                         delete expired keys now
  stats                         summarise the database
  dump [OUT]                    write every live key as JSON Lines to OUT (default stdout)
  load [IN] [--replace]         upsert a dump from IN (default stdin); --replace empties first

Options:
  --json                        machine-readable output (anywhere on the line)
  --ttl MS                      with set: the time to live in milliseconds
  --replace                     with load: empty the database first, in the same transaction
  -h, --help                    print this help
Use -- before an argument that starts with a dash.

Exit status: 0 success, 1 key not found, 2 usage error, 3 any other error.
Docs: https://github.com/go-store/go-store-ts/blob/main/docs/cli.md
`;

/** A command line that cannot be run; the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One parsed command: what to run, on which file, and how to print it. */
export type Command =
  | { name: 'help' }
  | ({ file: string; json: boolean } & (
      | { name: 'get'; group: string; key: string }
      | { name: 'set'; group: string; key: string; value: string; ttlMs: number | undefined }
      | { name: 'delete'; group: string; key: string | undefined }
      | { name: 'groups'; prefix: string }
      | { name: 'keys'; group: string }
      | { name: 'count'; group: string | undefined }
      | { name: 'render'; group: string; template: string }
      | { name: 'purge' }
      | { name: 'stats' }
      | { name: 'dump'; out: string | undefined }
      | { name: 'load'; input: string | undefined; replace: boolean }
    ));

/** The positional arguments each command takes: [required, optional]. */
const ARITY: Record<string, [number, number]> = {
  get: [2, 0],
  set: [3, 0],
  delete: [1, 1],
  groups: [0, 1],
  keys: [1, 0],
  count: [0, 1],
  render: [2, 0],
  purge: [0, 0],
  stats: [0, 0],
  dump: [0, 1],
  load: [0, 1],
};

const NAMES: Record<string, string> = {
  get: 'GROUP KEY',
  set: 'GROUP KEY VALUE',
  delete: 'GROUP [KEY]',
  groups: '[PREFIX]',
  keys: 'GROUP',
  count: '[GROUP]',
  render: 'GROUP TEMPLATE',
  purge: '',
  stats: '',
  dump: '[OUT]',
  load: '[IN]',
};

/** A TTL as the command line gives it: a decimal number of milliseconds. */
const TTL_PATTERN = /^-?\d+(\.\d+)?$/;

/** Parses `argv` (without `node` and the script). */
export function parseCommandLine(argv: readonly string[]): Command {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // parseArgs words its own errors well (unknown option, missing value); keep its message.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { name: 'help' };
  const [file, name, ...args] = positionals;
  if (file === undefined) throw new UsageError('missing FILE and COMMAND');
  if (name === undefined) throw new UsageError('missing COMMAND');
  const arity = ARITY[name];
  if (arity === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const [required, optional] = arity;
  if (args.length < required || args.length > required + optional) {
    throw new UsageError(
      `${`${name} ${NAMES[name]}`.trim()}: got ${args.length} argument${args.length === 1 ? '' : 's'}`,
    );
  }
  if (values.ttl !== undefined && name !== 'set') throw new UsageError('--ttl goes only with set');
  if (values.replace === true && name !== 'load') throw new UsageError('--replace goes only with load');
  const json = values.json === true;
  const base = { file, json };
  const [a, b, c] = args as [string, string, string];
  switch (name) {
    case 'get':
      return { ...base, name, group: a, key: b };
    case 'set':
      return { ...base, name, group: a, key: b, value: c, ttlMs: ttlOf(values.ttl) };
    case 'delete':
      return { ...base, name, group: a, key: args[1] };
    case 'groups':
      return { ...base, name, prefix: args[0] ?? '' };
    case 'keys':
      return { ...base, name, group: a };
    case 'count':
      return { ...base, name, group: args[0] };
    case 'render':
      return { ...base, name, group: a, template: b };
    case 'purge':
    case 'stats':
      return { ...base, name };
    case 'dump':
      return { ...base, name, out: args[0] };
    default:
      return { ...base, name: 'load', input: args[0], replace: values.replace === true };
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      ttl: { type: 'string' },
      replace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function ttlOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!TTL_PATTERN.test(text))
    throw new UsageError(`--ttl takes a number of milliseconds, got ${JSON.stringify(text)}`);
  return Number(text);
}
