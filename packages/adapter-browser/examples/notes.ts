/**
 * A tiny notes app: every note is a key of the group `notes`, persisted in OPFS by go-store.
 * The page never redraws after its own writes: it watches the group, so the list follows every
 * committed change, wherever it came from: open it in two tabs, add a note in one, and it
 * appears in the other.
 */
import { openStore, type StoreEvent } from '@go-store/adapter-browser';
import { notesPage, onNewNote, opened, renderNote } from './note-list.js';

const page = notesPage();
const { list, status } = page;
const log = document.querySelector<HTMLOListElement>('#log')!;

// Runs on the main thread: the store starts a worker that owns the database in OPFS.
const store = await opened(status, openStore('notes-example'));

function showNote(key: string, text: string): void {
  renderNote(list, key, text, () => void store.delete('notes', key));
}

function apply(event: StoreEvent): void {
  const existing = list.querySelector<HTMLLIElement>(`li[data-key="${CSS.escape(event.key)}"]`);
  const text = event.type === 'set' ? event.value : (existing?.querySelector('span')?.textContent ?? event.key);
  const verb = { set: existing ? 'edited' : 'added', delete: 'deleted', delete_group: 'cleared all notes' }[event.type];
  const entry = document.createElement('li');
  entry.textContent = `${event.timestamp.toLocaleTimeString('en-GB')}  ${verb}${event.type === 'delete_group' ? '' : ` “${text}”`}`;
  log.prepend(entry);
  existing?.remove();
  if (event.type === 'set') showNote(event.key, event.value);
  if (event.type === 'delete_group') list.replaceChildren();
  updateStatus();
}

function updateStatus(): void {
  const count = list.children.length;
  status.textContent = `${count} note${count === 1 ? '' : 's'} in OPFS.`;
}

for (const { key, value } of await store.getPage('notes', { limit: 500 })) showNote(key, value);
updateStatus();

// Follow every committed change to the group.
void (async () => {
  for await (const event of store.watch('notes', '*', { bufferSize: 64 })) apply(event);
})();

onNewNote(page, (key, text) => store.set('notes', key, text));

// Release the database for other tabs when this one goes away.
addEventListener('pagehide', () => void store.close());
document.body.dataset.ready = 'true';
