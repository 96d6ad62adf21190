// A Node service's use of the packages, as a user would write it after `npm install`.
import { NotFoundError, openStore, type Store } from '@go-store/adapter-node';
import { dump, load } from '@go-store/core';
import { KeyvGoStore } from '@go-store/keyv';
import { renderTemplate } from '@go-store/template';
import { goStoreDriver } from '@go-store/unstorage';
import Keyv from 'keyv';

const store: Store = await openStore(process.argv[2] ?? ':memory:');
await store.set('config', 'theme', 'dark');
const keyv = new Keyv({ store: new KeyvGoStore(store, { group: 'cache' }) });
await keyv.set('greeting', { hello: 'world' }, 60_000);
const driver = goStoreDriver({ store, group: 'files' });
await driver.setItem('a:b', 'unstorage', {});
const lines: string[] = [];
for await (const line of dump(store)) lines.push(line);
const copy = await openStore(':memory:');
await load(copy, lines);
try {
  await copy.get('config', 'missing');
} catch (error) {
  if (!(error instanceof NotFoundError)) throw error;
}
const summary = {
  theme: await copy.get('config', 'theme'),
  greeting: await keyv.get<{ hello: string }>('greeting'),
  item: await driver.getItem('a:b'),
  rendered: renderTemplate('{{ .theme }}', { theme: 'dark' }),
  lines: lines.length,
};
await copy.close();
await store.close();
console.log(JSON.stringify(summary));
