/**
 * Holds databases open for the conformance run from a non-leader context: the runner asks it to
 * open each test's database first, so this worker leads it and the page's own store follows.
 */
import { type HolderReply, type HolderRequest, perform } from './holder.js';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<HolderRequest>) => void) | null;
  postMessage(message: HolderReply): void;
};

scope.onmessage = (event) => perform(event.data, (reply) => scope.postMessage(reply));
