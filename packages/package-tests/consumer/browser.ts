// A browser app's use of the packages (type-checked with the DOM library, not run here).
import { openStore } from '@go-store/adapter-browser';
import { createSqlJsDriver, preservingByteOrderMarks } from '@go-store/driver-sqljs';

export async function start(): Promise<number> {
  const store = await openStore('app');
  await store.set('config', 'theme', 'dark');
  return store.count('config');
}
export { createSqlJsDriver, preservingByteOrderMarks };
