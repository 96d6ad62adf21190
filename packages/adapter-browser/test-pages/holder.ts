/**
 * What the contexts that lead the databases of a follower conformance run (holder-worker.ts,
 * holder-page.ts) do when the runner asks: open a test's database first, so that they lead it,
 * and close it when the test is done.
 */
import { openStore, type Store } from '@go-store/adapter-browser';

/** Open `name` (and lead it), or close it. */
export type HolderRequest = { id: number; op: 'open' | 'close'; name: string; vfs: 'opfs-sahpool' | 'opfs' };

/** The answer to a {@link HolderRequest}: its id, and the error if it failed. */
export type HolderReply = { id: number; error?: string };

const held = new Map<string, Store>();

/** Carries out `request`, then replies with how it went. */
export function perform(request: HolderRequest, reply: (message: HolderReply) => void): void {
  const done =
    request.op === 'open'
      ? openStore(request.name, { vfs: request.vfs, purgeIntervalMs: 0 }).then((store) => {
          held.set(request.name, store);
        })
      : Promise.resolve(held.get(request.name)?.close()).then(() => {
          held.delete(request.name);
        });
  done.then(
    () => reply({ id: request.id }),
    (error: unknown) => reply({ id: request.id, error: String(error) }),
  );
}
