// A driver author's use of the conformance suite.
import { createStore } from '@go-store/core';
import { createSqlJsDriver, loadSqlJs } from '@go-store/driver-sqljs';
import { runConformance } from '@go-store/test-suite';

runConformance('sql.js', async (options) =>
  createStore(createSqlJsDriver(new (await loadSqlJs()).Database()), options),
);
