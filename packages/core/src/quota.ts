/**
 * Namespace quotas: `maxKeys` bounds the live keys of a namespace, `maxGroups` its groups with
 * live keys. They apply to writes of keys that are not live yet — overwriting never counts,
 * expired keys never count — and the check and the write are one atomic step.
 *
 * The counts that keep checks constant-time live in the database (see `sql.ts`); this module
 * decides, from them and from the live rows when they are not enough, whether a write fits.
 */
import type { MaybePromise, SqlDriver } from './driver.js';
import { QuotaExceededError } from './errors.js';
import { then } from './maybe.js';
import {
  COUNT_GROUP,
  COUNT_LIVE_GROUPS_IN_RANGE,
  COUNT_RANGE,
  SELECT_LIVE_KEY,
  SELECT_NAMESPACE_COUNTS,
  UPSERT_WITHIN_QUOTA,
} from './sql.js';

/** A namespace's limits, as scoped writes check them (0 = unlimited). */
export interface QuotaCheck {
  readonly namespace: string;
  readonly maxKeys: number;
  readonly maxGroups: number;
}

/** The stored groups of a namespace are exactly those in `[ns + ':', ns + ';')`. */
function namespaceRange(namespace: string): [string, string] {
  return [`${namespace}:`, `${namespace};`];
}

/**
 * Upserts one key if the quota allows it, in one statement.
 * @throws {QuotaExceededError} naming the limit that refused it; nothing is written.
 */
export function upsertWithinQuota(
  op: string,
  driver: SqlDriver,
  row: { group: string; key: string; value: string; expiresAt: number | null },
  now: number,
  quota: QuotaCheck,
): MaybePromise<void> {
  const [lower, upper] = namespaceRange(quota.namespace);
  const { group, key, value, expiresAt } = row;
  const params = [group, key, value, expiresAt, now, lower, upper, quota.maxKeys, quota.maxGroups, quota.namespace];
  return then(driver.run(UPSERT_WITHIN_QUOTA, params), (changed) => {
    if (changed > 0) return;
    return then(exceededLimit(driver, group, now, quota, 1), (limit) => {
      throw quotaExceeded(op, `${group}/${key}`, quota, limit ?? 'maxKeys');
    });
  });
}

/**
 * Checks that writing `keys` to `group` fits the quota, all or nothing; the caller writes them
 * in the same transaction.
 * @throws {QuotaExceededError} naming the limit that refused them.
 */
export async function checkManyWithinQuota(
  op: string,
  driver: SqlDriver,
  group: string,
  keys: Iterable<string>,
  now: number,
  quota: QuotaCheck,
): Promise<void> {
  const fresh = new Set<string>();
  for (const key of keys) {
    if (!fresh.has(key) && (await driver.get(SELECT_LIVE_KEY, [group, key, now])) === undefined) fresh.add(key);
  }
  if (fresh.size === 0) return;
  const limit = await exceededLimit(driver, group, now, quota, fresh.size);
  if (limit !== undefined) throw quotaExceeded(op, group, quota, limit);
}

/**
 * Which limit adding `fresh` new keys to `group` would exceed, if any. The counts decide when
 * they can (rows, expired ones included, under a limit means live keys are too); otherwise the
 * live rows of the namespace are counted.
 */
async function exceededLimit(
  driver: SqlDriver,
  group: string,
  now: number,
  quota: QuotaCheck,
  fresh: number,
): Promise<'maxKeys' | 'maxGroups' | undefined> {
  const counts = await driver.get(SELECT_NAMESPACE_COUNTS, [quota.namespace]);
  const rows = Number(counts?.[0] ?? 0);
  const groups = Number(counts?.[1] ?? 0);
  const [lower, upper] = namespaceRange(quota.namespace);
  if (quota.maxKeys > 0 && rows + fresh > quota.maxKeys) {
    const live = Number((await driver.get(COUNT_RANGE, [lower, upper, now]))?.[0] ?? 0);
    if (live + fresh > quota.maxKeys) return 'maxKeys';
  }
  if (quota.maxGroups > 0 && groups + 1 > quota.maxGroups) {
    const groupIsLive = Number((await driver.get(COUNT_GROUP, [group, now]))?.[0] ?? 0) > 0;
    if (groupIsLive) return undefined;
    const live = Number((await driver.get(COUNT_LIVE_GROUPS_IN_RANGE, [lower, upper, now]))?.[0] ?? 0);
    if (live + 1 > quota.maxGroups) return 'maxGroups';
  }
  return undefined;
}

function quotaExceeded(
  op: string,
  subject: string,
  quota: QuotaCheck,
  limit: 'maxKeys' | 'maxGroups',
): QuotaExceededError {
  const max = quota[limit];
  const what = limit === 'maxKeys' ? `${max} live keys` : `${max} groups`;
  return new QuotaExceededError(
    `${op}: ${subject}: quota exceeded: namespace ${quota.namespace} is limited to ${what} (${limit})`,
    { namespace: quota.namespace, limit, max },
  );
}
