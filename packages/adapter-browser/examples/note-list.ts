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
