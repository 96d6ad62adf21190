/**
 * The package's database worker in a worker without synchronous OPFS access, as in browsers
 * whose page has OPFS but whose workers lack `createSyncAccessHandle` (older Safari): the lab
 * page passes this script as `workerUrl` to test the main thread's `fallbackToMemory`.
 */
import '../dist/worker.js';

delete (FileSystemFileHandle.prototype as { createSyncAccessHandle?: unknown }).createSyncAccessHandle;
