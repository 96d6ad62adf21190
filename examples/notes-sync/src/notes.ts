/**
 * The notes app, synced: every note is a key of the group `notes:list` (namespace `notes`),
 * kept in OPFS by go-store and synced by @go-store/sync with the server this page came from
 * (`/sync`; `?sync=<url>` picks another, e.g. a Worker's). The list follows the store's events,
 * so notes written here, in another tab, or in another browser and pulled by sync all appear
 * the same way.
 */
import { openStore, type StoreEvent } from '@go-store/adapter-browser';
import { type SyncStatus, startSync } from '@go-store/sync';
import { notesPage, onNewNote, opened, renderNote } from '../../../packages/adapter-browser/examples/note-list.js';

const GROUP = 'notes:list';
const page = notesPage();
const { list, status } = page;
const badge = document.querySelector<HTMLParagraphElement>('#sync')!;

const store = await opened(status, openStore('notes-sync'));

function showNote(key: string, text: string): void {
  renderNote(list, key, text, () => void store.delete(GROUP, key));
}

function apply(event: StoreEvent): void {
  if (event.type === 'delete_group') list.replaceChildren();
  else list.querySelector(`li[data-key="${CSS.escape(event.key)}"]`)?.remove();
  if (event.type === 'set') showNote(event.key, event.value);
  const count = list.children.length;
  status.textContent = `${count} note${count === 1 ? '' : 's'} in this browser.`;
}

function showSync(state: SyncStatus): void {
  const when = state.lastSyncAt === null ? 'not yet' : new Date(state.lastSyncAt).toLocaleTimeString('en-GB');
  const text = {
    idle: `Synced (last at ${when})`,
    syncing: 'Syncing…',
    offline: `Offline: changes are kept here and sent when the server answers (last synced ${when})`,
    error: `Sync failed: ${state.lastError?.message ?? 'unknown error'}`,
  }[state.state];
  badge.textContent = state.refused.length > 0 ? `${text} · ${state.refused.length} change(s) refused` : text;
  badge.dataset.state = state.state;
}

for (const { key, value } of await store.getPage(GROUP, { limit: 500 })) showNote(key, value);
apply({ type: 'delete', group: GROUP, key: '', value: '', timestamp: new Date() });
void (async () => {
  for await (const event of store.watch(GROUP, '*', { bufferSize: 256 })) apply(event);
})();

const sync = startSync(store, {
  url: new URLSearchParams(location.search).get('sync') ?? new URL('/sync', location.href),
  namespaces: ['notes'],
  live: true,
  onStatus: showSync,
});
// Back online: sync at once rather than at the next retry.
addEventListener('online', () => void sync.syncNow().catch(() => undefined));

onNewNote(page, (key, text) => store.set(GROUP, key, text));

addEventListener('pagehide', () => void sync.stop().then(() => store.close()));
Object.assign(globalThis, { notesSync: sync });
document.body.dataset.ready = 'true';
