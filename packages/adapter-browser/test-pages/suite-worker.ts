/** Runs the suites inside a dedicated worker, on the in-worker driver. */

import { openStore } from '@go-store/adapter-browser';
import { opener, runSuites } from './suites.js';

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<{ vfs: 'opfs-sahpool' | 'opfs'; run: string }>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { vfs, run } = event.data;
  runSuites(`in-worker ${vfs}`, opener(openStore, vfs, run)).then(
    (result) => scope.postMessage({ result }),
    (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
  );
};
