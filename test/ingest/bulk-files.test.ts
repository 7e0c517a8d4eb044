// The import-file CSV written for neo4j-admin reads back to the same values (the bulk converter
// compares a repeated tx_id with the line it wrote), LargeMap behaves as one Map, and TxIdIndex finds
// exactly the keys it was given, whatever its hash does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CsvOut, LargeMap, parseLine, quoted, TxIdIndex, txIdHash } from '../../src/ingest/bulk-files.js';
import { tmpDir } from '../helpers/env.js';

test('quoted fields read back exactly; null stays null, an empty string stays empty', () => {
  for (const v of ['AC0000001', 'a,b', 'say "hi"', '', ' lead', 'trail ', 'line\nbreak', 'ünïcode €']) {
    const line = `${quoted(v)},${quoted(null)},12,${quoted(v)}`;
    assert.deepEqual(parseLine(line), [v, null, '12', v], line);
  }
  assert.equal(quoted('plain'), 'plain');
  assert.equal(quoted(''), '""');
  assert.equal(quoted('a"b'), '"a""b"');
});

test('CsvOut returns byte offsets that read back the line, before and after a flush', () => {
  const file = path.join(tmpDir('csvout'), 'out.csv');
  const out = new CsvOut(file, 'h1,h2');
  const offsets = ['x,1', `${quoted('é,"q"')},2`, 'z,3'].map((l) => out.write(l));
  assert.equal(out.readLineAt(offsets[1]!), `${quoted('é,"q"')},2`);
  const many = Array.from({ length: 50_000 }, (_, i) => out.write(`row${i},${i}`));
  assert.equal(out.readLineAt(many[49_999]!), 'row49999,49999');
  assert.equal(out.readLineAt(offsets[2]!), 'z,3');
  out.close();
  assert.equal(fs.readFileSync(file, 'utf8').split('\n')[2], '"é,""q""",2');
});

test('LargeMap: get, add, set and size as a Map', () => {
  const m = new LargeMap<number>();
  m.add('a', 1);
  m.set('b', 2);
  m.set('a', 3);
  assert.equal(m.get('a'), 3);
  assert.equal(m.get('b'), 2);
  assert.equal(m.get('c'), undefined);
  assert.equal(m.size, 2);
  assert.deepEqual(
    [...m.entries()],
    [
      ['a', 3],
      ['b', 2],
    ],
  );
});

/** TxIdIndex with its keys' offsets kept beside it, as the converter keeps them in its file. */
function indexWith(hash?: (k: string) => [number, number]) {
  const index = hash ? new TxIdIndex(16, hash) : new TxIdIndex(16);
  const keyAt = new Map<number, string>();
  return {
    index,
    find: (key: string) => index.find(key, (offset) => keyAt.get(offset) === key),
    add: (key: string, offset: number) => {
      keyAt.set(offset, key);
      index.add(key, offset);
    },
  };
}

test('TxIdIndex: finds every key added (at its offset, 0 included) and no other, through growth', () => {
  const x = indexWith();
  for (let i = 0; i < 20_000; i++) {
    assert.equal(x.find(`T${i}`), undefined);
    x.add(`T${i}`, i * 10);
  }
  assert.equal(x.index.size, 20_000);
  for (let i = 0; i < 20_000; i++) assert.equal(x.find(`T${i}`), i * 10);
  for (const k of ['T20000', 't1', '', 'T1 ', 'ünï']) assert.equal(x.find(k), undefined);
});

test('TxIdIndex: a hash that collides for every key costs reads, never a wrong answer', () => {
  const x = indexWith(() => [7, 7]);
  for (let i = 0; i < 300; i++) x.add(`K${i}`, i);
  for (let i = 0; i < 300; i++) assert.equal(x.find(`K${i}`), i);
  assert.equal(x.find('K300'), undefined);
});

test('txIdHash: deterministic, and its two halves differ for near keys', () => {
  assert.deepEqual(txIdHash('ACT12345'), txIdHash('ACT12345'));
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) seen.add(txIdHash(`ACT${i}`).join(':'));
  assert.equal(seen.size, 100_000, 'no 64-bit collision among 100,000 sequential ids');
});
