/**
 * Argument checks shared by every public method. Each throws {@link InvalidArgumentError}
 * before anything is read or written, so bad input changes nothing.
 */
import { InvalidArgumentError } from './errors.js';

/** Describes a value for an error message without printing user data at length. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Asserts a well-formed string: strings go to SQLite as UTF-8, where a lone surrogate cannot survive. */
export function checkString(op: string, what: string, value: unknown): asserts value is string {
  // The refusal is built elsewhere: a check this small is inlined into every hot path.
  if (typeof value !== 'string' || !value.isWellFormed()) refuseString(op, what, value);
}

function refuseString(op: string, what: string, value: unknown): never {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(`${op}: ${what} must be a string, got ${describe(value)}`);
  }
  throw new InvalidArgumentError(`${op}: ${what} is not well-formed UTF-16 (it contains a lone surrogate)`);
}

/** Asserts a TTL in milliseconds: any finite number (`<= 0` means already expired). */
export function checkTtl(op: string, ttlMs: unknown): asserts ttlMs is number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs)) {
    const got = typeof ttlMs === 'number' ? String(ttlMs) : describeWithValue(ttlMs);
    throw new InvalidArgumentError(`${op}: ttlMs must be a finite number of milliseconds, got ${got}`);
  }
}

/** Asserts an absolute expiry: `null` (never) or a whole Unix time in ms, given instead of a TTL. */
export function checkExpiresAt(op: string, expiresAt: unknown, ttlMs: unknown): asserts expiresAt is number | null {
  if (ttlMs !== undefined) throw new InvalidArgumentError(`${op}: give ttlMs or expiresAt, not both`);
  if (expiresAt !== null && (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt))) {
    throw new InvalidArgumentError(
      `${op}: expiresAt must be null or whole Unix milliseconds, got ${describe(expiresAt)}`,
    );
  }
}

/** The type of a wrong-typed argument and, when short, its value: `string "5000"` reads as a string. */
function describeWithValue(value: unknown): string {
  if (typeof value === 'string')
    return `string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'bigint') return `bigint ${value}n`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  return describe(value);
}

/** Asserts a non-negative safe integer (quotas, buffer sizes, page limits). */
export function checkCount(op: string, what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${op}: ${what} must be a non-negative integer, got ${String(value)}`);
  }
}

/** Asserts an options argument is absent or a plain object. */
export function checkOptions(op: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
    throw new InvalidArgumentError(`${op}: options must be an object, got ${describe(options)}`);
  }
}
