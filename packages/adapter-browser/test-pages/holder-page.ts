/**
 * Holds databases open for the conformance run from a tab that does not lead: the runner page
 * loads this page in an iframe and asks it to open each test's database first, so that this
 * page's database worker leads it (with the port broker, as another tab's would) and the
 * runner's store follows, its plain reads going straight to this page's worker.
 */
import { openStore } from '@go-store/adapter-browser';
import { type HolderReply, type HolderRequest, perform } from './holder.js';

// Held for the whole run, it keeps this page's database worker (the leader) running between
// tests, as onMainThread's anchor does in runner.ts.
const anchor = openStore(`holder-anchor-${Date.now()}`, { purgeIntervalMs: 0 });

addEventListener('message', (event: MessageEvent<HolderRequest>) => {
  if (event.origin !== location.origin) return;
  perform(event.data, (reply: HolderReply) => parent.postMessage(reply, location.origin));
});
anchor.then(() => parent.postMessage({ id: 0 }, location.origin));
