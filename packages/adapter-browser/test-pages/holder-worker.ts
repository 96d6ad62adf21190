/**
 * Holds databases open for the conformance run from a non-leader context: the runner asks it to
 * open each test's database first, so this worker leads it and the page's own store follows.
 */
import { openStore, type Store } from '@go-store/adapter-browser';

/** Open `name` (and lead it), or close it. */
export type HolderRequest = { id: number; op: 'open' | 'close'; name: string; vfs: 'opfs-sahpool' | 'opfs' };

const held = new Map<string, Store>();

async function perform(request: HolderRequest): Promise<void> {
  if (request.op === 'open') {
    held.set(request.name, await openStore(request.name, { vfs: request.vfs, purgeIntervalMs: 0 }));
    return;
  }
  await held.get(request.name)?.close();
  held.delete(request.name);
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HolderRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { id } = event.data;
  perform(event.data).then(
    () => scope.postMessage({ id }),
    (error: unknown) => scope.postMessage({ id, error: String(error) }),
  );
};
