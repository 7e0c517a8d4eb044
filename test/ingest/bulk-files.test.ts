// The import-file CSV written for neo4j-admin reads back to the same values (the bulk converter
// compares a repeated tx_id with the line it wrote), and LargeMap behaves as one Map.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CsvOut, LargeMap, parseLine, quoted } from '../../src/ingest/bulk-files.js';
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
