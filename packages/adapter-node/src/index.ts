export { createSqlJsDriver, type SqlJsDriver } from './sqljs-driver.js';
