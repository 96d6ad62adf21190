/**
 * The conformance tests a D1 store cannot run, because each calls `store.transaction()`, which a D1
 * store refuses at once: D1 cannot hold a transaction open across a callback's awaits. Listed
 * by name: the suite rejects a name that matches no test, and a new transaction test fails on D1
 * until it is listed here.
 */
export const D1_TRANSACTION_TESTS: readonly string[] = [
  'transaction: resolves to the value the callback returns (the same object)',
  'transaction: a synchronous callback works too; a synchronous throw rolls back and propagates',
  'transaction: commits every write at once',
  'tx: offers every data method, and not transaction, scope, watch, onChange or close',
  "tx: reads see the transaction's own writes",
  "tx: render sees the transaction's own writes",
  'transaction: a callback that throws leaves no write and no event, and its error propagates unchanged',
  'transaction: a callback that rejects rolls back the same way',
  'transaction: whatever is thrown propagates as is (a string, a plain object, a StoreError)',
  'transaction: a tx call that fails and is caught does not abort the transaction',
  'transaction: on commit the events are emitted after the commit, all of them, in order',
  'transaction: a callback reading the store from onChange after commit sees every write',
  'transaction: a set issued on the store while a transaction is open lands after it',
  'transaction: a read issued on the store while a transaction is open waits and sees the committed writes',
  'transaction: the callback may await unrelated Promises (no deadlock)',
  'transactions issued together run one after another (read-modify-write never loses an update)',
  'transaction: a transaction with no writes emits nothing',
  'tx: using tx after the callback has finished rejects and writes nothing',
  'tx: using tx after a rolled-back transaction rejects and writes nothing',
  'tx: a call on tx left un-awaited when the callback returns is refused, not half-committed',
  'transaction: an outer call issued (not awaited) inside the callback waits and lands after the commit',
  'transaction: a non-function callback rejects with InvalidArgumentError',
  'scoped transaction: tx writes and reads within the namespace',
  'scoped transaction: tx has no transaction, scope, watch, onChange or close',
  "scoped transaction: quotas are checked against the transaction's own writes",
  "scoped transaction: maxGroups is checked against the transaction's own writes",
  'scoped transaction: a quota error left to propagate rolls everything back',
  'scoped transactions issued together hold the quota (no two fill the last slot)',
  'close: waits for an open transaction, which commits',
];
