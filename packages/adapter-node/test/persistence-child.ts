/**
 * A child process for the persistence tests. It reports on stdout, one line per event, and the
 * parent acts on those lines (kills it, opens the same file): nothing waits on a clock.
 *
 * Usage: node persistence-child.js MODE DATABASE [OPTIONS-JSON]
 * - writer:   an endless stream of writes to group `w` (single sets, bursts of 20 concurrent
 *             sets, 5-key transactions), printing `opening`, `ready N` (N keys found) and then
 *             `ack K...` once each write's Promise resolved. Values carry `options.round`.
 * - tx:       an endless stream of large transactions (`tx<K>`: `N` keys, then `done/<K>`),
 *             printing `start K`, `commit K` (from inside the callback) and `ack K`.
 * - hold:     opens the store, writes `held/key`, prints `ready`, and stays alive.
 * - try-open: tries to open, prints `ok` or `error CODE MESSAGE`, exits.
 * - no-close: opens, writes 10 keys, prints `ack K` for each and `done`, and returns without
 *             calling close(): the process must exit by itself.
 */
import { openFileStore, writerKey, writerValue } from './persistence-helpers.js';

const [mode, database, optionsJson] = process.argv.slice(2);
const {
  round: roundOption,
  txSize,
  ...options
} = (optionsJson === undefined ? {} : JSON.parse(optionsJson)) as Record<string, unknown>;

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function writer(): Promise<void> {
  const round = Number(roundOption ?? 0);
  out('opening');
  const store = await openFileStore(database, options);
  let next = await store.count('w');
  out(`ready ${next}`);
  for (let i = 0; ; i++) {
    const shape = i % 3;
    if (shape === 0) {
      const k = next++;
      await store.set('w', writerKey(k), writerValue(k, round));
      out(`ack ${k}`);
    } else if (shape === 1) {
      const keys = Array.from({ length: 20 }, () => next++);
      await Promise.all(
        keys.map(async (k) => {
          await store.set('w', writerKey(k), writerValue(k, round));
          out(`ack ${k}`);
        }),
      );
    } else {
      const keys = Array.from({ length: 5 }, () => next++);
      await store.transaction(async (tx) => {
        for (const k of keys) await tx.set('w', writerKey(k), writerValue(k, round));
      });
      out(`ack ${keys.join(' ')}`);
    }
  }
}

async function transactions(): Promise<void> {
  const size = Number(txSize ?? 5000);
  const store = await openFileStore(database, options);
  let k = await store.count('done');
  out(`ready ${k}`);
  for (; ; k++) {
    out(`start ${k}`);
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < size; i++) entries.push([String(i).padStart(6, '0'), `transaction ${k} row ${i}`]);
    await store.transaction(async (tx) => {
      await tx.setMany(`tx${k}`, entries);
      await tx.set('done', String(k), 'yes');
      out(`commit ${k}`);
    });
    out(`ack ${k}`);
  }
}

async function hold(): Promise<void> {
  const store = await openFileStore(database, options);
  await store.set('held', 'key', 'by the child');
  out('ready');
  setInterval(() => undefined, 1 << 30); // stay alive until killed
}

async function tryOpen(): Promise<void> {
  try {
    const store = await openFileStore(database, options);
    await store.close();
    out('ok');
  } catch (error) {
    const e = error as { code?: string; message?: string };
    out(`error ${e.code ?? 'UNKNOWN'} ${e.message ?? String(error)}`);
  }
}

async function noClose(): Promise<void> {
  const store = await openFileStore(database, options);
  for (let k = 0; k < 10; k++) {
    await store.set('no-close', String(k), `value ${k}`);
    out(`ack ${k}`);
  }
  out('done');
}

const modes: Record<string, () => Promise<void>> = {
  writer,
  tx: transactions,
  hold,
  'try-open': tryOpen,
  'no-close': noClose,
};
const run = modes[mode];
if (run === undefined) {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
run().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
