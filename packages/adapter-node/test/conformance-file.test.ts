/**
 * The whole conformance suite against durable files: every store the suite opens is a new
 * database file, persisted through the sidecar log, so each promise in docs/api.md is checked
 * on the file engine as well as in memory.
 */
import nodePath from 'node:path';
import { openStore } from '@go-store/adapter-node';
import { runConformance } from '@go-store/test-suite';
import { tempDir } from './persistence-helpers.js';

const dir = tempDir('conformance');
let opened = 0;

runConformance('sql.js file', (options) => {
  opened += 1;
  return openStore(nodePath.join(dir, `store-${opened}.db`), options);
});
