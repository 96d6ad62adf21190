export * from './errors.js';
export type { SqlDriver, SqlRow, SqlValue, MaybePromise } from './driver.js';
export { renderTemplate } from './template/index.js';
