import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { test } from 'node:test';
import { detectFormat, inputFile, parseColumnMap, readRows, stripLineEnd, type ReadItem } from '../../src/ingest/read-rows.js';

async function collect(text: string, format: 'csv' | 'ndjson', map: string[] = []): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of readRows(Readable.from([text]), format, parseColumnMap(map))) out.push(item);
  return out;
}

test('CSV columns are renamed with --map and line numbers are kept', async () => {
  const items = await collect('tran_id,orig,bene,amt,ts\n1,A,B,10.5,2011-01-01\n2,B,C,3,2011-01-02\n', 'csv', [
    'tx_id=tran_id',
    'from_account=orig',
    'to_account=bene',
    'amount=amt',
    'timestamp=ts',
  ]);
  assert.deepEqual(items[0], {
    kind: 'row',
    line: 2,
    fields: { tx_id: '1', from_account: 'A', to_account: 'B', amount: '10.5', timestamp: '2011-01-01' },
    raw: '1,A,B,10.5,2011-01-01',
  });
  assert.equal(items.length, 2);
});

test('raw is the record as read and line is where it starts (CRLF, quotes, a field spanning lines)', async () => {
  const items = await collect(
    'tx_id,from_account,to_account,amount,timestamp,channel\r\n1, A ,B,"1,5",2011-01-01,"two\r\nlines"\r\n2,B,C,3,2011-01-02,x\r\n',
    'csv',
  );
  assert.deepEqual(
    items.map((i) => [i.line, i.raw]),
    [
      [2, '1, A ,B,"1,5",2011-01-01,"two\r\nlines"'],
      [4, '2,B,C,3,2011-01-02,x'],
    ],
  );
  const ndjson = await collect('{"tx_id":"1", "extra":true}\r\n  {"tx_id":"2"}\n', 'ndjson');
  assert.deepEqual(
    ndjson.map((i) => [i.line, i.raw]),
    [
      [1, '{"tx_id":"1", "extra":true}'],
      [2, '  {"tx_id":"2"}'],
    ],
  );
});

test('stripLineEnd takes off what the two regexes it replaces took off', () => {
  const parts = ['a', ',', '"', '\r', '\n', '\r\n'];
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  for (let i = 0; i < 5000; i++) {
    let text = '';
    for (let k = next() % 7; k > 0; k--) text += parts[next() % parts.length];
    assert.equal(stripLineEnd(text), text.replace(/\r?\n$/, '').replace(/\r$/, ''), JSON.stringify(text));
  }
});

test('a missing column stops the import before anything is queued, naming what exists', async () => {
  await assert.rejects(
    collect('id,from,to\n1,A,B\n', 'csv'),
    /no column tx_id, from_account, to_account, amount, timestamp\. Columns found: id, from, to/,
  );
  await assert.rejects(collect('a,b\n', 'csv', ['tx_id=tran']), /tran \(mapped to tx_id\)/);
  await assert.rejects(collect('id,from,to\n1,A,B\n', 'csv'), /Map them with --map canonical=source_column\.$/);
  // A semicolon- or tab-separated file: --map cannot help, the message says what can.
  await assert.rejects(
    collect('tx_id;from_account;to_account;amount;timestamp\n1;A;B;1.00;2026-01-01\n', 'csv'),
    /Columns found: tx_id;from_account;to_account;amount;timestamp\. The header looks ";"-separated: acctnet reads comma-separated CSV \(or NDJSON\); convert the file/,
  );
  await assert.rejects(collect('tx_id\tfrom_account\tto_account\n', 'csv'), /The header looks tab-separated/);
});

test('a malformed CSV record is rejected with its reason and the rest goes on', async () => {
  const items = await collect('tx_id,from_account,to_account,amount,timestamp\n1,A,B,1,2011-01-01\n2,A,B\n3,A,B,1,2011-01-01\n', 'csv');
  assert.deepEqual(
    items.map((i) => i.kind),
    ['row', 'rejected', 'row'],
  );
  assert.match((items[1] as { reason: string }).reason, /unreadable CSV record/);
  assert.equal(items[1]!.raw, '2,A,B');
});

test('a quoting error stops the reading with a message: reading on would swallow or silently drop the rows after it', async () => {
  const head = 'tx_id,from_account,to_account,amount,timestamp\n1,A,B,1,2011-01-01\n';
  // Unclosed: everything after the quote would become one rejected record.
  await assert.rejects(
    collect(`${head}2,A,B,"2,2011-01-01\n3,A,B,3,2011-01-01\n4,A,B,4,2011-01-01\n`, 'csv'),
    /CSV quoting error \(Quote Not Closed.*import the file again/,
  );
  // Misplaced: the valid row after it was neither read nor rejected.
  await assert.rejects(collect(`${head}2,A,B,"2"x,2011-01-01\n3,A,B,3,2011-01-01\n`, 'csv'), /CSV quoting error \(Invalid Closing Quote/);
});

test("a quoting error names the file's line, also after CRLFs inside quoted fields (csv-parse counts each twice)", async () => {
  const crlf = (text: string) => text.replace(/\n/g, '\r\n');
  const head = 'tx_id,from_account,to_account,amount,timestamp\n';
  // Lines: 1 header, 2–4 a note over three lines, 5–6 one over two, 7 the misplaced quote.
  const rows = '1,"A\n\nA",B,1,2011-01-01\n2,"A\nA",B,2,2011-01-01\n';
  await assert.rejects(
    collect(crlf(`${head}${rows}3,A"x,B,3,2011-01-01\n4,A,B,4,2011-01-01\n`), 'csv'),
    /Invalid Opening Quote: .* at line 7,/,
  );
  // The failing record's own CRLF inside quotes, before the error: the record spans lines 8–9, the error is on 9.
  await assert.rejects(
    collect(crlf(`${head}${rows}3,A,B,3,2011-01-01\n4,"A\nA"x,B,4,2011-01-01\n`), 'csv'),
    /Invalid Closing Quote: got "x" at line 9 /,
  );
  // LF files were right already and stay so.
  await assert.rejects(collect(`${head}${rows}3,A"x,B,3,2011-01-01\n`, 'csv'), /at line 7,/);
});

test('NDJSON: bad JSON and non-objects are rejected per line', async () => {
  const items = await collect('{"tx_id":"1","amount":5}\nnot json\n[1]\n\n{"tx_id":{"x":1}}\n', 'ndjson');
  assert.deepEqual(
    items.map((i) => [i.kind, i.line]),
    [
      ['row', 1],
      ['rejected', 2],
      ['rejected', 3],
      ['rejected', 5],
    ],
  );
});

test('--map and --format errors say how to fix them', () => {
  assert.throws(() => parseColumnMap(['txid=x']), /"txid" is not a canonical field/);
  assert.throws(
    () => parseColumnMap(['from_account=from,to_account=to']),
    /one pair per --map \(--map from_account=from --map to_account=to\)/,
  );
  assert.deepEqual(parseColumnMap(['amount=amt,usd']), { amount: 'amt,usd' }, 'a column whose name holds a comma');
  assert.throws(() => parseColumnMap(['tx_id']), /expected canonical=source_column/);
  assert.throws(() => detectFormat('data.txt'), /pass --format csv or --format ndjson/);
  assert.equal(detectFormat('x.jsonl'), 'ndjson');
  // One field from two columns: the second silently won (a payer's IBAN stored as the tx_id).
  assert.throws(() => parseColumnMap(['tx_id=txn_ref', 'tx_id=payer_iban']), /--map tx_id is given twice \(txn_ref, payer_iban\)/);
  assert.deepEqual(parseColumnMap(['tx_id=ref', 'tx_id=ref']), { tx_id: 'ref' }, 'the same pair twice is harmless');
});

test('a compressed file is refused before it is read, saying so (it read as a quoting error or an unknown format)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acctnet-gz-'));
  const csv = 'tx_id,from_account,to_account,amount,timestamp\n1,A,B,1,2011-01-01\n';
  const gz = path.join(dir, 'rows.csv.gz');
  fs.writeFileSync(gz, zlib.gzipSync(csv));
  assert.throws(
    () => inputFile(gz, 'csv'),
    /rows\.csv\.gz is gzip-compressed: acctnet reads plain CSV or NDJSON; decompress it first \(e\.g\. `gunzip -k /,
  );
  const named = path.join(dir, 'rows.csv');
  fs.writeFileSync(named, zlib.gzipSync(csv));
  assert.throws(() => inputFile(named), /is gzip-compressed/, 'whatever the name says');
  fs.writeFileSync(named, csv);
  assert.equal(inputFile(named).format, 'csv');
  fs.rmSync(dir, { recursive: true });
});

test('NDJSON: a numeric id that JSON cannot hold exactly is rejected at read time, naming the field as mapped', async () => {
  const items = await collect(
    '{"tx_id":7,"orig":12345678901234567891,"to_account":"B"}\n{"tx_id":8,"orig":5,"to_account":"B"}\n',
    'ndjson',
    ['from_account=orig'],
  );
  assert.equal(items[0]!.kind, 'rejected');
  assert.match(
    (items[0] as { reason: string }).reason,
    /^orig is the JSON number 12345678901234567000, which is not a safe integer.*send ids as strings/,
  );
  assert.deepEqual(items[1], {
    kind: 'row',
    line: 2,
    fields: { tx_id: 8, from_account: 5, to_account: 'B' },
    raw: '{"tx_id":8,"orig":5,"to_account":"B"}',
  });
});

const HEADER = 'tx_id,from_account,to_account,amount,timestamp,channel';

test('a field too long to queue is its row rejected as it is read; the rows around it go on (it failed their whole job)', async () => {
  const long = 'x'.repeat(150_000);
  const csv = await collect(`${HEADER}\n1,A,B,1,2011-01-01,p2p\n2,A,B,1,2011-01-01,${long}\n3,A,B,1,2011-01-01,p2p\n`, 'csv');
  assert.deepEqual(
    csv.map((i) => [i.kind, i.line]),
    [
      ['row', 2],
      ['rejected', 3],
      ['row', 4],
    ],
  );
  assert.match((csv[1] as { reason: string }).reason, /channel is 150000 characters long \(at most 100000 can be read\)/);
  const nd = await collect(`{"tx_id":"${long}","from_account":"A"}\n{"tx_id":"2"}\n`, 'ndjson');
  assert.deepEqual(
    nd.map((i) => i.kind),
    ['rejected', 'row'],
  );
});

test('an amount as a JSON number with more digits than a double keeps is refused (it arrives rounded); as a string it is exact', async () => {
  const nd = await collect(
    '{"tx_id":"1","amount":9000000.000000001}\n{"tx_id":"2","amount":"9000000.000000001"}\n{"tx_id":"3","amount":12.5}\n',
    'ndjson',
  );
  assert.deepEqual(
    nd.map((i) => i.kind),
    ['rejected', 'row', 'row'],
  );
  assert.match((nd[0] as { reason: string }).reason, /more significant digits than a JSON number keeps \(15\).*send amounts as strings/);
  assert.equal((nd[1] as { fields: Record<string, unknown> }).fields.amount, '9000000.000000001');
});

test('CSV line ends may be mixed in one file (a CRLF header, LF rows, a lone CR): every row is its own record, at its own line', async () => {
  const items = await collect(
    `${HEADER}\r\n1,A,B,1,2011-01-01,p2p\n2,A,B,1,2011-01-01,p2p\r3,A,B,1,2011-01-01,p2p\r\n4,A,B,1,2011-01-01,p2p\n`,
    'csv',
  );
  assert.deepEqual(
    items.map((i) => [i.kind, i.line, (i as { fields?: Record<string, unknown> }).fields?.tx_id]),
    [
      ['row', 2, '1'],
      ['row', 3, '2'],
      ['row', 4, '3'],
      ['row', 5, '4'],
    ],
  );
});

test('a header naming a column it reads twice stops the import (which one holds the amount?); an unused duplicate is harmless', async () => {
  await assert.rejects(
    collect('tx_id,from_account,to_account,amount,timestamp,amount\n1,A,B,1,2011-01-01,999\n', 'csv'),
    /the header names "amount" more than once/,
  );
  const ok = await collect('tx_id,from_account,to_account,amount,timestamp,note,note\n1,A,B,1,2011-01-01,x,y\n', 'csv');
  assert.equal(ok[0]!.kind, 'row');
});

test('bytes that are not UTF-8 (a Latin-1 file) reject their row instead of merging two ids into one', async () => {
  const latin1 = Buffer.concat([
    Buffer.from(`${HEADER}\n1,`),
    Buffer.from([0x41, 0xe9]),
    Buffer.from(',B,1,2011-01-01,p2p\n2,'),
    Buffer.from([0x41, 0xe8]),
    Buffer.from(',B,1,2011-01-01,p2p\n'),
  ]);
  const items: ReadItem[] = [];
  for await (const item of readRows(Readable.from([latin1]), 'csv', {})) items.push(item);
  assert.deepEqual(
    items.map((i) => i.kind),
    ['rejected', 'rejected'],
  );
  assert.match((items[0] as { reason: string }).reason, /from_account holds bytes that are not UTF-8.*Latin-1/);
});

test('a rejected record spanning lines: it and the rows after it carry the lines they start at', async () => {
  const items = await collect(
    `${HEADER}\r\n1,A,B,1,2011-01-01,p2p\r\n2,A,"x\r\ny"\r\n3,A,B,1,2011-01-01,p2p\r\n4,A,B\r\n5,A,B,1,2011-01-01,"a\r\nb"\r\n6,A,B,1,2011-01-01,p2p\r\n`,
    'csv',
  );
  assert.deepEqual(
    items.map((i) => [i.kind, i.line]),
    [
      ['row', 2],
      ['rejected', 3],
      ['row', 5],
      ['rejected', 6],
      ['row', 7],
      ['row', 9],
    ],
  );
  assert.equal((items[1] as { reason: string }).reason, 'unreadable CSV record: Invalid Record Length: columns length is 6, got 3');
});
