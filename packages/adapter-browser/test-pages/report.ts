/** Errors as plain data, for the Node side of the tests. */
import { LockedError, type StoreError } from '@go-store/adapter-browser';

/** An error as plain data for the Node side. */
export interface ErrorReport {
  name: string;
  code: string | undefined;
  message: string;
  locked: boolean;
  cause?: string;
}

export function report(error: unknown): ErrorReport {
  const e = error as StoreError;
  const cause = e.cause as Error | undefined;
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    locked: error instanceof LockedError,
    cause: cause ? `${cause.name}: ${cause.message}` : undefined,
  };
}
