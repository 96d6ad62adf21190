// The worker of importmap.html: the package's self-contained module, imported by URL.
import { openStore } from './pkg/adapter-browser/dist/standalone.js';

globalThis.onmessage = async (event) => {
  try {
    const store = await openStore(event.data);
    const seen = await store.get('g', 'page');
    await store.set('g', 'worker', 'from the worker');
    await store.close();
    globalThis.postMessage({ seen });
  } catch (error) {
    globalThis.postMessage({ error: String(error) });
  }
};
