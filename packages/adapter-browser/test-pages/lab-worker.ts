/** The worker half of the lab page: scenarios on the in-worker driver. */
import { type OpenOptions, openStore } from '@go-store/adapter-browser';
import { type ErrorReport, report } from './report.js';

/** A scenario to run in the worker. */
export type LabRequest =
  | { op: 'write'; name: string; group: string; entries: Record<string, string>; options?: OpenOptions }
  | { op: 'read'; name: string; group: string; options?: OpenOptions }
  | { op: 'fill'; name: string; valueBytes: number; maxValues: number; options?: OpenOptions }
  | { op: 'no-opfs'; name: string; options?: OpenOptions };

/** Its outcome. */
export interface LabResponse {
  values?: Record<string, string>;
  written?: number;
  persistent?: boolean;
  error?: ErrorReport;
  /** The error `onFallback` received, when the store fell back to memory. */
  fallback?: ErrorReport;
}

async function perform(request: LabRequest): Promise<LabResponse> {
  switch (request.op) {
    case 'write': {
      const store = await openStore(request.name, request.options);
      try {
        await store.setMany(request.group, request.entries);
        return { values: { ...(await store.getAll(request.group)) } };
      } finally {
        await store.close();
      }
    }
    case 'read': {
      const store = await openStore(request.name, request.options);
      try {
        return { values: { ...(await store.getAll(request.group)) } };
      } finally {
        await store.close();
      }
    }
    case 'fill': {
      // Writes large values until the storage quota stops it.
      const store = await openStore(request.name, request.options);
      const value = 'x'.repeat(request.valueBytes);
      let written = 0;
      try {
        for (; written < request.maxValues; written++) await store.set('fill', `k${written}`, value);
        return { written };
      } catch (error) {
        return { written, error: report(error) };
      } finally {
        await store.close().catch(() => undefined);
      }
    }
    case 'no-opfs': {
      Object.defineProperty(FileSystemFileHandle.prototype, 'createSyncAccessHandle', {
        value: undefined,
        configurable: true,
      });
      delete (FileSystemFileHandle.prototype as { createSyncAccessHandle?: unknown }).createSyncAccessHandle;
      let fallback: ErrorReport | undefined;
      const onFallback = (error: unknown): void => {
        fallback = report(error);
      };
      const store = await openStore(request.name, { ...request.options, onFallback });
      await store.set('g', 'k', 'in memory');
      const value = await store.get('g', 'k');
      await store.close();
      return { values: { k: value }, fallback };
    }
  }
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<LabRequest & { id: number }>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const { id } = event.data;
  perform(event.data).then(
    (response) => scope.postMessage({ ...response, id }),
    (error: unknown) => scope.postMessage({ error: report(error), id }),
  );
};
