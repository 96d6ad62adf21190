/**
 * A page of small scenarios the Node side drives with `page.evaluate('lab.…')`: holding a
 * database open, trying to open one, writing and reading back (here or inside a worker).
 */
import { type OpenOptions, openStore, type Store } from '@go-store/adapter-browser';
import type { LabRequest, LabResponse } from './lab-worker.js';
import { type ErrorReport, report } from './report.js';

const held = new Map<string, Store>();
let worker: Worker | undefined;
let nextId = 1;
const pending = new Map<number, (response: LabResponse) => void>();

const lab = {
  /** Opens `name` on the main thread and keeps it open. */
  async hold(name: string, options: OpenOptions = {}): Promise<{ ok: true } | { error: ErrorReport }> {
    try {
      held.set(name, await openStore(name, options));
      return { ok: true };
    } catch (error) {
      return { error: report(error) };
    }
  },
  /** Closes a store opened by `hold`. */
  async release(name: string): Promise<void> {
    await held.get(name)?.close();
    held.delete(name);
  },
  /** Opens `name` on the main thread, writes `entries` into `group`, reads them back, closes. */
  async write(name: string, group: string, entries: Record<string, string>, options: OpenOptions = {}) {
    try {
      const store = await openStore(name, options);
      try {
        await store.setMany(group, entries);
        return { values: { ...(await store.getAll(group)) } };
      } finally {
        await store.close();
      }
    } catch (error) {
      return { error: report(error) };
    }
  },
  /** Opens `name` on the main thread and returns the group's values. */
  async read(name: string, group: string, options: OpenOptions = {}) {
    try {
      const store = await openStore(name, options);
      try {
        return { values: { ...(await store.getAll(group)) } };
      } finally {
        await store.close();
      }
    } catch (error) {
      return { error: report(error) };
    }
  },
  /**
   * Like `write`, with `fallbackToMemory` and an `onFallback` that records its error; `fallback`
   * is that error (absent if the store did not fall back).
   */
  async writeOrFallBack(name: string, group: string, entries: Record<string, string>, options: OpenOptions = {}) {
    let fallback: ErrorReport | undefined;
    const result = await lab.write(name, group, entries, {
      ...options,
      fallbackToMemory: true,
      onFallback: (error) => {
        fallback = report(error);
      },
    });
    return { ...result, fallback };
  },
  /** Runs a scenario inside a dedicated worker (see lab-worker.ts). */
  inWorker(request: LabRequest): Promise<LabResponse> {
    worker ??= new Worker(new URL('./lab-worker.js', import.meta.url), { type: 'module' });
    const id = nextId++;
    worker.onmessage = (event: MessageEvent<LabResponse & { id: number }>) => {
      pending.get(event.data.id)?.(event.data);
      pending.delete(event.data.id);
    };
    return new Promise((resolve) => {
      pending.set(id, resolve);
      worker!.postMessage({ ...request, id });
    });
  },
  /** Resolves once no tab holds the database's Web Lock (the adapter's claim on it). */
  async waitForRelease(name: string, vfs = 'opfs-sahpool'): Promise<void> {
    await navigator.locks.request(`go-store:${vfs}:${name}`, () => undefined);
  },
  /** Writes `text` to the OPFS file at `path` (folders separated by '/'), creating folders. */
  async writeOpfsFile(path: string, text: string): Promise<void> {
    const parts = path.split('/');
    let dir = await navigator.storage.getDirectory();
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
    const writable = await (await dir.getFileHandle(parts.at(-1)!, { create: true })).createWritable();
    await writable.write(text);
    await writable.close();
  },
  /** Reads the OPFS file at `path` as text. */
  async readOpfsFile(path: string): Promise<string> {
    const parts = path.split('/');
    let dir = await navigator.storage.getDirectory();
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
    return (await (await dir.getFileHandle(parts.at(-1)!)).getFile()).text();
  },
  /** Makes this page look like a browser without OPFS. */
  removeOpfs(): void {
    Object.defineProperty(StorageManager.prototype, 'getDirectory', { value: undefined, configurable: true });
  },
};

(globalThis as { lab?: typeof lab }).lab = lab;
document.getElementById('status')!.textContent = 'ready';
