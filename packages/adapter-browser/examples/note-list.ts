/**
 * The list of notes on the page, shared by the notes examples: one `<li>` per note, in key
 * order, each with its delete button. Keys start with their creation time, so key order is the
 * order the notes were written in.
 */

/** Shows the note `key` in `list` (where it belongs in key order); `onDelete` runs on its button. */
export function renderNote(list: HTMLElement, key: string, text: string, onDelete: () => void): void {
  const item = document.createElement('li');
  item.dataset.key = key;
  const label = document.createElement('span');
  label.textContent = text;
  const remove = document.createElement('button');
  remove.className = 'delete';
  remove.textContent = 'Delete';
  remove.setAttribute('aria-label', `Delete “${text}”`);
  remove.addEventListener('click', onDelete);
  item.append(label, remove);
  const next = [...list.children].find((child) => (child as HTMLElement).dataset.key! > key);
  list.insertBefore(item, next ?? null);
}

/** The elements of a notes page. */
export interface NotesPage {
  list: HTMLUListElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  status: HTMLParagraphElement;
}

/** Finds the elements of a notes page (its markup is the examples' `notes.html`). */
export function notesPage(): NotesPage {
  return {
    list: document.querySelector<HTMLUListElement>('#notes')!,
    form: document.querySelector<HTMLFormElement>('#note-form')!,
    input: document.querySelector<HTMLInputElement>('#note-text')!,
    status: document.querySelector<HTMLParagraphElement>('#status')!,
  };
}

/** Waits for the store to open; if it cannot, says why on the status line, and rethrows. */
export function opened<T>(status: HTMLElement, opening: Promise<T>): Promise<T> {
  return opening.catch((error: Error) => {
    status.textContent = `Could not open the store: ${error.message}`;
    throw error;
  });
}

/**
 * Saves each note the form submits under a new key (its creation time, then a few random
 * characters); a save that fails is reported on the status line.
 */
export function onNewNote(page: NotesPage, save: (key: string, text: string) => Promise<void>): void {
  page.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = page.input.value.trim();
    if (text === '') return;
    page.input.value = '';
    const key = new Date().toISOString() + Math.random().toString(36).slice(2, 6);
    save(key, text).catch((error: Error) => {
      page.status.textContent = `Not saved: ${error.message}`;
    });
  });
}
