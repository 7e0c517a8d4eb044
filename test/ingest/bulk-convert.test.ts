// The bulk conversion read by several threads, range by range, gives byte for byte the files,
// rejects and counts of reading the file in one pass (the streaming path's reader) — on files made to
// catch a range cut in the wrong place: quoted fields with commas, quotes, LF, CRLF and lone CR
// inside, CRLF and LF line ends mixed, a BOM, blank lines, unreadable records, bad rows, repeats and
// conflicts within and across jobs and ranges. A file whose quotes do not pair up starts over in
// one pass and fails as the one-pass read fails.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ItemPacker, unpackItems, type ConvertItem } from '../../src/ingest/bulk-convert-items.js';
import { convertToImportFiles, type ConvertOptions, type ConvertResult } from '../../src/ingest/bulk-convert.js';
import { fileRanges } from '../../src/ingest/bulk-ranges.js';
import type { ValidationRules } from '../../src/ingest/record.js';
import { tmpDir } from '../helpers/env.js';

const RULES: ValidationRules = {
  defaultCurrency: 'EUR',
  currencyExponents: {},
  maxAmount: 1e12,
  maxIdLength: 128,
  minTimestamp: Date.parse('2000-01-01T00:00:00Z'),
  maxTimestamp: Date.parse('2100-01-01T00:00:00Z'),
};

function csvRows(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `T${i}`;
    const amount = '12.50';
    const at = `2026-01-${String(1 + (i % 27)).padStart(2, '0')}T10:${String(i % 60).padStart(2, '0')}:00Z`;
    const from = `A${i % 13}`;
    const to = `B${i % 17}`;
    // Every 23rd row repeats the one 40 rows earlier: as it was (a duplicate) or with another amount (a conflict).
    if (i % 23 === 0 && i >= 40) {
      out.push(i % 2 ? out[i - 40]! : out[i - 40]!.replace(',12.50,', ',99.00,'));
      continue;
    }
    switch (i % 11) {
      case 1:
        out.push(`${id},${from},${to},${amount},EUR,${at},"card, ""chip"""`);
        break;
      case 2:
        out.push(`${id},${from},${to},${amount},EUR,${at},"multi\nline"`);
        break;
      case 3:
        out.push(`${id},${from},${to},${amount},EUR,${at},"crlf\r\ninside"\r`); // a CRLF line end
        break;
      case 4:
        out.push(`${id},${from},${to},not-a-number,EUR,${at},p2p`);
        break;
      case 5:
        out.push(`${id},${from},${to}`); // too few fields: an unreadable record
        break;
      case 6:
        out.push('');
        break;
      case 7:
        out.push(`${id},${from},${to},${amount},EUR,${at},"lone\rcr"`);
        break;
      case 8:
        out.push(i % 2 ? ' \t ' : '\r'); // blanks, or a blank line ending in CRLF
        break;
      default:
        out.push(`${id},${from},${to},${amount},EUR,${at},p2p`);
    }
  }
  return out;
}

function ndjsonRows(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const tx = { tx_id: `N${i}`, from_account: `A${i % 13}`, to_account: `B${i % 7}`, amount: 2, timestamp: 1767261600000 + i * 1000 };
    if (i % 23 === 0 && i >= 40) out.push(i % 2 ? out[i - 40]! : out[i - 40]!.replace('"amount":2', '"amount":3'));
    else if (i % 10 === 3) out.push('{"broken": ');
    else if (i % 10 === 6) out.push(i % 20 === 6 ? '' : '  ');
    else if (i % 10 === 7) out.push(`${JSON.stringify(tx)}\r`);
    else out.push(JSON.stringify({ ...tx, channel: i % 3 ? 'p2p' : 'say "hi",\\n' }));
  }
  return out;
}

function filesOf(result: ConvertResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, file] of Object.entries(result.files)) if (name !== 'dir') out[name] = fs.readFileSync(file, 'utf8');
  out.rejects = result.rejectsFile ? fs.readFileSync(result.rejectsFile, 'utf8') : '';
  return out;
}

async function convert(dir: string, name: string, file: string, format: 'csv' | 'ndjson', extra: Partial<ConvertOptions>) {
  const opts: ConvertOptions = {
    file,
    format,
    map: {},
    dir: path.join(dir, name),
    batchId: 'imp-test',
    batchSize: 7,
    rules: RULES,
    rejectsFile: path.join(dir, `${name}.rejects.csv`),
    now: () => 1_767_000_000_000,
    ...extra,
  };
  const result = await convertToImportFiles(opts);
  return { result, files: filesOf(result) };
}

const counts = (r: ConvertResult) => ({ rowsRead: r.rowsRead, written: r.written, duplicates: r.duplicates, rejected: r.rejected, accounts: r.accounts, chunks: r.chunks, amounts: r.amountByCurrency });

for (const format of ['csv', 'ndjson'] as const) {
  test(`${format}: read by threads in small ranges = read in one pass, file for file`, async () => {
    const dir = tmpDir(`bulk-convert-${format}`);
    const file = path.join(dir, `in.${format}`);
    const body = format === 'csv' ? ['\uFEFFtx_id,from_account,to_account,amount,currency,timestamp,channel', ...csvRows(600)] : ndjsonRows(600);
    fs.writeFileSync(file, `${body.join('\n')}\n`);
    const one = await convert(dir, 'one', file, format, { threads: 1 });
    assert.equal(one.result.threads, 1);
    // Quoted line breaks in a channel are read as one record and rejected (control characters).
    assert.ok(one.result.rejected > 50 && one.result.duplicates > 0 && one.result.written > 200, JSON.stringify(counts(one.result)));
    for (const rangeBytes of [1, 61, 4096]) {
      const ranges = fileRanges(file, format, rangeBytes).ranges.length;
      assert.ok(ranges > 3, `${ranges} ranges of ${rangeBytes} bytes`);
      const threaded = await convert(dir, `threads-${rangeBytes}`, file, format, { threads: 3, rangeBytes });
      assert.equal(threaded.result.threads, 3);
      assert.equal(threaded.result.startedOver, null);
      assert.deepEqual(counts(threaded.result), counts(one.result));
      assert.deepEqual(threaded.files, one.files, `range size ${rangeBytes}`);
    }
  });
}

test('a range\'s items packed into columns for the converter come back as they were', () => {
  const items: ConvertItem[] = [
    { kind: 'row', row: { ok: true, line: 2, raw: 'T1,A,B,1.5,EUR,2026-01-01,p2p', transfer: { txId: 'T1', from: 'A', to: 'B', amount: 150, currency: 'EUR', at: 1767225600000, channel: 'p2p' } } },
    { kind: 'row', row: { ok: true, line: 3, raw: 'T2,"A,1",B,2,JPY,2026-01-02,', transfer: { txId: 'T2', from: 'A,1', to: 'B', amount: 2, currency: 'JPY', at: 1767312000000, channel: null } } },
    { kind: 'row', row: { ok: false, line: 5, raw: 'T3,A,A,1,EUR,2026-01-01', reason: 'from_account equals to_account', txId: 'T3' } },
    { kind: 'row', row: { ok: false, line: 6, raw: ',A,B,1,EUR,2026-01-01', reason: 'tx_id is required', txId: null } },
    { kind: 'rejected', line: 7, reason: 'unreadable CSV record: Invalid Record Length on line 7', raw: 'T4,A' },
    { kind: 'row', row: { ok: true, line: 9, raw: '', transfer: { txId: 'T5', from: '', to: 'Z\u00e9', amount: 0, currency: 'EUR', at: 0, channel: '' } } },
  ];
  const pack = (list: ConvertItem[]) => {
    const packer = new ItemPacker();
    for (const item of list) packer.add(item);
    return packer.finish();
  };
  assert.deepEqual(unpackItems(structuredClone(pack(items))), items);
  assert.deepEqual(unpackItems(pack([])), []);
});

test('csv: the header and leading blank lines go in front of every range; quoted line breaks never cut a range', () => {
  const dir = tmpDir('bulk-ranges');
  const file = path.join(dir, 'in.csv');
  const text = '\n\n"tx_id","from_account",to_account,amount,timestamp\n1,a,b,1,2026-01-01\n2,"x\ny",b,1,2026-01-01\n3,a,b,1,2026-01-01\n';
  fs.writeFileSync(file, text);
  const plan = fileRanges(file, 'csv', 1);
  assert.equal(text.slice(0, plan.headerEnd), '\n\n"tx_id","from_account",to_account,amount,timestamp\n');
  // The first range holds the header and the first record; a cut after every other record, none inside "x\ny".
  assert.deepEqual(
    plan.ranges.map((r) => text.slice(r.start, r.end)),
    ['\n\n"tx_id","from_account",to_account,amount,timestamp\n1,a,b,1,2026-01-01\n', '2,"x\ny",b,1,2026-01-01\n', '3,a,b,1,2026-01-01\n'],
  );
  // A lone CR outside quotes: read in one range.
  fs.writeFileSync(file, 'tx_id,from_account\r1,a\n2,b\n');
  assert.equal(fileRanges(file, 'csv', 1).ranges.length, 1);
});

test('csv: quotes that do not pair up start over in one pass and fail with the one-pass error', async () => {
  const dir = tmpDir('bulk-convert-badquote');
  const file = path.join(dir, 'in.csv');
  const rows = csvRows(300);
  rows.splice(150, 0, 'T9999,A1,B1,1.00,EUR,2026-01-02T10:00:00Z,"never closed');
  fs.writeFileSync(file, `tx_id,from_account,to_account,amount,currency,timestamp,channel\n${rows.join('\n')}\n`);
  const failure = async (extra: Partial<ConvertOptions>) => {
    try {
      await convert(dir, `bad-${extra.threads}`, file, 'csv', extra);
    } catch (err) {
      return (err as Error).message;
    }
    return assert.fail('the conversion did not fail');
  };
  const one = await failure({ threads: 1 });
  assert.match(one, /CSV quoting error/);
  assert.equal(await failure({ threads: 3, rangeBytes: 200 }), one);
});
