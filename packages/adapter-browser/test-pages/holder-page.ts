/**
 * Holds databases open for the conformance run from a tab that does not lead: the runner page
 * loads this page in an iframe and asks it to open each test's database first, so that this
 * page's database worker leads it (with the port broker, as another tab's would) and the
 * runner's store follows, its plain reads going straight to this page's worker.
 */
import { openStore, type Store } from '@go-store/adapter-browser';
import type { HolderRequest } from './holder-worker.js';

const held = new Map<string, Store>();
// Held for the whole run, it keeps this page's database worker (the leader) running between
// tests, as onMainThread's anchor does in runner.ts.
const anchor = openStore(`holder-anchor-${Date.now()}`, { purgeIntervalMs: 0 });

async function perform(request: HolderRequest): Promise<void> {
  if (request.op === 'open') {
    held.set(request.name, await openStore(request.name, { vfs: request.vfs, purgeIntervalMs: 0 }));
    return;
  }
  await held.get(request.name)?.close();
  held.delete(request.name);
}

addEventListener('message', (event: MessageEvent<HolderRequest>) => {
  if (event.origin !== location.origin) return;
  const { id } = event.data;
  const reply = (message: { id: number; error?: string }): void => parent.postMessage(message, location.origin);
  perform(event.data).then(
    () => reply({ id }),
    (error: unknown) => reply({ id, error: String(error) }),
  );
});
anchor.then(() => parent.postMessage({ id: 0 }, location.origin));
