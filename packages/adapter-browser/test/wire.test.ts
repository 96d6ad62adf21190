/**
 * The flat layout of batches (wire.ts), in Node: every call and every answer comes back as it
 * went, whatever its payload (a row, rows of one width, rows of several, nothing, an error),
 * after a structured clone, and the layout holds no array inside it for the usual answers.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type * as Protocol from '../dist/protocol.js';
import type * as TabProtocol from '../dist/tab-protocol.js';
import type * as WireModule from '../dist/wire.js';
import { packageRoot } from './package-root.js';

const load = <T>(file: string): Promise<T> => import(pathToFileURL(join(packageRoot(), 'dist', file)).href);
const wire = await load<typeof WireModule>('wire.js');
const { requestCodec } = await load<typeof Protocol>('protocol.js');
const { tabRequestCodec } = await load<typeof TabProtocol>('tab-protocol.js');

type Answer = [string | number, number, boolean, unknown];

function roundTrip(answers: readonly Answer[]): Answer[] {
  const out = new wire.Answers();
  for (const [to, n, ok, payload] of answers) out.add(to, n, ok, payload);
  const back: Answer[] = [];
  wire.decodeAnswers(structuredClone(out.wire()), (to, n, ok, payload) => back.push([to, n, ok, payload]));
  return back;
}

test('answers of every shape come back as they went, in order', () => {
  const blob = new Uint8Array([0, 1, 255]);
  const answers: Answer[] = [
    ['tab-a/1', 1, true, ['value', null]],
    ['tab-a/1', 2, true, undefined],
    [
      'tab-b/3',
      3,
      true,
      [
        ['k1', 'v1'],
        ['k2', 'v2'],
      ],
    ],
    ['tab-a/1', 4, true, [['ragged'], ['rows', 'of two']]],
    ['tab-a/1', 5, true, []],
    ['tab-a/1', 6, true, [[], []]],
    ['tab-a/1', 7, true, [blob, 12n, 1.5, '']],
    ['tab-a/1', 8, true, [[1, 'set', 'g', 'k', 'v', 1_700_000_000_000]]],
    ['tab-a/1', 9, true, 42],
    ['tab-a/1', 10, true, { committed: true, seq: 3 }],
    ['tab-a/1', 11, false, { name: 'DriverError', message: 'no', retryable: true }],
    [7, 12, true, [{ type: 'set', group: 'g', key: 'k', value: 'v' }]],
    [0, 13, true, ['first of connection 0']],
  ];
  assert.equal(roundTrip(answers), answers);
});

test('a batch of rows is one flat array of values and strings', () => {
  const out = new wire.Answers();
  for (let n = 1; n <= 3; n++) out.add('tab/1', n, true, [`value ${n}`, null]);
  const laid = out.wire();
  assert.ok(
    laid.every((field) => !Array.isArray(field)),
    'no array inside the layout',
  );
  assert.is(laid.filter((field) => field === 'tab/1').length, 1, 'the session id travels once');
});

test('calls come back as they went, reads laid out field by field', () => {
  const calls: TabProtocol.TabRequest[] = [
    { s: 'tab-a/1', n: 1, op: 'get', sql: 'SELECT 1', params: ['g', 'k'] },
    { s: 'tab-a/1', n: 2, op: 'all', sql: 'SELECT 2', params: [] },
    { s: 'tab-a/2', n: 1, g: 'tab-a/2:g1', op: 'get', sql: 'SELECT 1', params: [null, 3, 4n] },
    { s: 'tab-a/1', n: 3, op: 'run', sql: 'UPDATE', params: ['x'], call: 'tab-a/1:3' },
    { s: 'tab-a/1', n: 4, op: 'commit', g: 'tab-a/1:g4', call: 'tab-a/1:g4', events: [['set', 'g', 'k', 'v', 1]] },
  ];
  const back: TabProtocol.TabRequest[] = [];
  wire.decodeCalls(tabRequestCodec, structuredClone(wire.encodeCalls(tabRequestCodec, calls)), (call) =>
    back.push(call),
  );
  assert.equal(back, calls);

  const requests: Protocol.Request[] = [
    { id: 1, db: 2, op: 'get', sql: 'SELECT 1', params: ['g', 'k'] },
    { id: 2, db: 2, op: 'begin' },
    { id: 3, db: 5, op: 'all', sql: 'SELECT 2', params: ['g'] },
  ];
  const again: Protocol.Request[] = [];
  wire.decodeCalls(requestCodec, structuredClone(wire.encodeCalls(requestCodec, requests)), (request) =>
    again.push(request),
  );
  assert.equal(again, requests);
});

test('a batch with many distinct strings refers to each once', () => {
  const calls = Array.from({ length: 50 }, (_, i) => ({
    s: `tab/${i % 20}`,
    n: i,
    op: 'get' as const,
    sql: `SELECT ${i % 12}`,
    params: [`k${i}`],
  }));
  const laid = wire.encodeCalls(tabRequestCodec, calls);
  const strings = laid.at(-1) as number;
  assert.is(strings, 32, '20 session ids and 12 SQL texts');
  const back: unknown[] = [];
  wire.decodeCalls(tabRequestCodec, laid, (call) => back.push(call));
  assert.equal(back, calls);
});

test.run();
