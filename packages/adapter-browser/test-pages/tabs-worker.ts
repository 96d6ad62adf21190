/** The worker half of the tabs page: a store opened inside the tab's own worker. */
import { openStore, type Store } from '@go-store/adapter-browser';

/** What the tabs page asks of its worker. */
export type TabsWorkerRequest =
  | { op: 'set'; name: string; group: string; key: string; value: string }
  | { op: 'get'; name: string; group: string; key: string };

const stores = new Map<string, Store>();

async function perform(request: TabsWorkerRequest): Promise<unknown> {
  let store = stores.get(request.name);
  if (store === undefined) {
    store = await openStore(request.name);
    stores.set(request.name, store);
  }
  if (request.op === 'set') return store.set(request.group, request.key, request.value);
  return store.get(request.group, request.key).catch((error: Error) => `error: ${error.message}`);
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<TabsWorkerRequest>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  perform(event.data).then(
    (value) => scope.postMessage({ value }),
    (error: unknown) => scope.postMessage({ error: String(error) }),
  );
};
