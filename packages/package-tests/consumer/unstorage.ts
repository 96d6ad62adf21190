// unstorage's own types fail a skipLibCheck: false build (its declarations reach every optional
// driver's dependency), so this file alone is checked with skipLibCheck: true: the driver fits
// unstorage's createStorage.
import { openStore } from '@go-store/adapter-node';
import { goStoreDriver } from '@go-store/unstorage';
import { createStorage } from 'unstorage';

export const storage = createStorage({ driver: goStoreDriver({ store: await openStore(':memory:') }) });
