/** The suite's view of events: collecting them, and comparing them without their timestamps. */
import type { Store, StoreEvent, Watcher } from '@go-store/core';

/** Iterates an async iterable to its end (or an async iterator obtained from a call). */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** Ends a watcher and returns the events it had buffered. */
export async function drain(watcher: Watcher): Promise<StoreEvent[]> {
  watcher.close();
  return collect(watcher);
}

/** An event without its timestamp, for comparing sequences. */
interface EventShape {
  type: StoreEvent['type'];
  group: string;
  key: string;
  value: string;
}

export function shape(event: StoreEvent): EventShape {
  return { type: event.type, group: event.group, key: event.key, value: event.value };
}

export function shapes(events: readonly StoreEvent[]): EventShape[] {
  return events.map(shape);
}

/** Records every event the store emits through `onChange`. */
export function record(store: Store): StoreEvent[] {
  const events: StoreEvent[] = [];
  store.onChange((event) => {
    events.push(event);
  });
  return events;
}

export const setEvent = (group: string, key: string, value: string): EventShape => ({ type: 'set', group, key, value });
export const deleteEvent = (group: string, key: string): EventShape => ({ type: 'delete', group, key, value: '' });
export const deleteGroupEvent = (group: string): EventShape => ({ type: 'delete_group', group, key: '', value: '' });
