/**
 * The data methods docs/api.md lists: a `Store`, a `ScopedStore` and a transaction's `tx` all
 * offer every one of them.
 */
export const DATA_METHODS = [
  'get',
  'has',
  'set',
  'setWithTTL',
  'delete',
  'deleteGroup',
  'getAll',
  'all',
  'count',
  'countAll',
  'groups',
  'groupsSeq',
  'getSplit',
  'getFields',
  'render',
  'setMany',
  'getMany',
  'deletePrefix',
  'getPage',
] as const;
