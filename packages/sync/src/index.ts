/**
 * Offline-first replication between go-store stores through a server you run: per-key last
 * writer wins by a hybrid logical clock, tombstones for deletes, TTLs as absolute expiry, and
 * namespaces authorised by the server. See docs/sync.md.
 *
 * @packageDocumentation
 */

export { type RefusedChange, type Sync, type SyncOptions, type SyncStatus, startSync } from './client.js';
export { SyncError, type SyncErrorCode } from './errors.js';
export { createSyncHandler, type SyncHandler, type SyncHandlerOptions } from './handler.js';
export { type NodeRequest, type NodeResponse, toNodeListener } from './node.js';
export {
  type Change,
  type Cursor,
  type ErrorResponse,
  PROTOCOL_VERSION,
  type PullRequest,
  type PullResponse,
  type PushRequest,
  type PushResponse,
  type Refusal,
  type RefusalReason,
} from './protocol.js';
